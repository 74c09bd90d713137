using Replicator.Function.Reconcile;
using Replicator.Testing;

namespace Replicator.Function.Tests.Reconcile;

public class SsmReconcileCursorStoreTests
{
    /// <summary>
    /// The cursor's SSM client takes FIPS and dual-stack from the environment the function was given, as the
    /// destination-credentials SSM client does (it left them to the SDK's own read of the process), and an override
    /// signs for the function's region.
    /// </summary>
    [Theory]
    [InlineData(null, false, false)]
    [InlineData("AWS_USE_FIPS_ENDPOINT", true, false)]
    [InlineData("AWS_USE_DUALSTACK_ENDPOINT", false, true)]
    public void The_client_takes_fips_and_dual_stack_from_the_injected_environment(string? variable, bool fips, bool dualStack)
    {
        var values = new Dictionary<string, string?>();
        if (variable is not null)
        {
            values[variable] = "true";
        }

        using var client = SsmReconcileCursorStore.CreateClient("eu-west-1", null, new DictionaryEnvironmentVariables(values));

        Assert.Equal("eu-west-1", client.Config.RegionEndpoint.SystemName);
        Assert.Equal(fips, client.Config.UseFIPSEndpoint);
        Assert.Equal(dualStack, client.Config.UseDualstackEndpoint);
    }

    [Fact]
    public void An_override_is_used_and_signed_for_the_functions_region()
    {
        using var client = SsmReconcileCursorStore.CreateClient("eu-west-1", new Uri("http://127.0.0.1:5000"), new DictionaryEnvironmentVariables(new Dictionary<string, string?>()));

        Assert.Equal("http://127.0.0.1:5000/", client.Config.ServiceURL);
        Assert.Equal("eu-west-1", client.Config.AuthenticationRegion);
    }
}
