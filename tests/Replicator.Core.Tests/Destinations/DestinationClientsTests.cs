using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Destinations;
using Replicator.Core.Ecr;
using Replicator.Core.Replication;
using Replicator.Core.Signing;
using Replicator.Testing;

namespace Replicator.Core.Tests.Destinations;

/// <summary>Which STS endpoint assumes a destination account's role, and how many sessions a deployment holds.</summary>
public sealed class DestinationClientsTests
{
    private const string SourceAccount = "111111111111";
    private const string OtherAccount = "222222222222";

    /// <summary>
    /// Only a destination signed with the key of a DESTINATION_CREDENTIALS parameter signs with a stored key, the one a
    /// rotation can replace by a key IAM has not propagated yet (the function's grace for DestinationResult.KeyRefused).
    /// </summary>
    [Fact]
    public void Only_a_destination_with_an_ssm_parameter_signs_with_a_stored_key()
    {
        ReplicationDestination china = new("cn-north-1", "333333333333"), other = new("us-west-2", OtherAccount), own = new("eu-west-1");
        var access = DestinationAccess.Parse(null, null, null, "333333333333:cn-north-1=ssm:/replicator/cn", [china, other, own], "us-east-1");
        var credentials = new StaticCredentialsSource(new AwsCredentials("AKIDSOURCE", "source-secret"));
        using var http = new HttpClient();
        using var clients = new DestinationClients(new EcrClientFactory(http, credentials, DictionaryEnvironmentVariables.Of(new Dictionary<string, string>())), access, credentials, new FakeSecurityTokenService(TimeProvider.System, TimeSpan.FromHours(1)), () => throw new InvalidOperationException("no SSM here"));
        var retrying = new RetryingDestinationClients(clients, new Core.Resilience.EcrCallRunner(new Core.Resilience.RetrySettings(), TimeProvider.System, () => 0.5), 10, TimeProvider.System);

        Assert.True(retrying.SignsWithStoredKey(china, SourceAccount));
        Assert.False(retrying.SignsWithStoredKey(other, SourceAccount));
        Assert.False(retrying.SignsWithStoredKey(own, SourceAccount));
        Assert.False(new SourceCredentialsDestinationClients(new EcrClientFactory(http, credentials, DictionaryEnvironmentVariables.Of(new Dictionary<string, string>()))).SignsWithStoredKey(china, SourceAccount));

        // The parameter is named in a refused key's failure (RefusedKeyMessage.Describe), through the retrying decorator too.
        Assert.Equal("/replicator/cn", retrying.StoredKeyParameter(china, SourceAccount));
        Assert.Null(retrying.StoredKeyParameter(other, SourceAccount));
        Assert.Null(retrying.StoredKeyParameter(own, SourceAccount));
    }

    [Fact]
    public async Task A_role_is_assumed_once_in_the_replicators_own_region_for_every_region_of_its_account()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var sts = new FakeSecurityTokenService(clock, TimeSpan.FromHours(1));
        ReplicationDestination[] destinations = [new("us-west-2", OtherAccount), new("af-south-1", OtherAccount)];
        var access = DestinationAccess.Parse(null, null, null, null, destinations, "us-east-1");
        var own = new StaticCredentialsSource(new AwsCredentials("AKIDSOURCE", "source-secret"));
        using var http = new HttpClient();
        using var clients = new DestinationClients(new EcrClientFactory(http, own, DictionaryEnvironmentVariables.Of(new Dictionary<string, string>())), access, own, sts, () => throw new InvalidOperationException("no SSM here"), clock);

        foreach (var destination in destinations)
        {
            await clients.CredentialsFor(access.Route(destination, SourceAccount), destination.Region).GetCredentialsAsync(CancellationToken.None);
        }

        var call = Assert.Single(sts.Calls);
        Assert.Equal(($"arn:aws:iam::{OtherAccount}:role/ecr-replicator-destination", "us-east-1"), (call.RoleArn, call.Region));
    }

    [Fact]
    public async Task A_replicator_in_a_region_the_destination_account_has_not_enabled_assumes_the_role_in_a_destination_region_once()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var sts = new FakeSecurityTokenService(clock, TimeSpan.FromHours(1));
        sts.DisabledRegions.Add("af-south-1");
        ReplicationDestination[] destinations = [new("us-west-2", OtherAccount), new("eu-west-1", OtherAccount)];
        var access = DestinationAccess.Parse(null, null, null, null, destinations, "af-south-1");
        var own = new StaticCredentialsSource(new AwsCredentials("AKIDSOURCE", "source-secret"));
        using var http = new HttpClient();
        using var clients = new DestinationClients(new EcrClientFactory(http, own, DictionaryEnvironmentVariables.Of(new Dictionary<string, string>())), access, own, sts, () => throw new InvalidOperationException("no SSM here"), clock);

        var sessions = new List<AwsCredentials>();
        foreach (var destination in destinations)
        {
            sessions.Add(await clients.CredentialsFor(access.Route(destination, SourceAccount), destination.Region).GetCredentialsAsync(CancellationToken.None));
        }

        Assert.Same(sessions[0], sessions[1]);
        Assert.Equal(["af-south-1", "us-west-2"], sts.Calls.Select(c => c.Region));
    }

    [Fact]
    public async Task The_external_id_is_sent_when_the_role_named_in_an_ssm_parameter_is_assumed_too()
    {
        const string role = "arn:aws-cn:iam::444444444444:role/ecr-replicator-destination";
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var sts = new FakeSecurityTokenService(clock, TimeSpan.FromHours(1));
        ReplicationDestination[] destinations = [new("us-west-2", OtherAccount), new("cn-north-1", "444444444444")];
        var access = DestinationAccess.Parse(null, null, "replicator-7f3a", "444444444444:cn-north-1=ssm:/replicator/cn", destinations, "us-east-1");
        var store = new SsmCredentialsSourceTests.FakeParameterStore { ["/replicator/cn"] = SsmCredentialsSourceTests.Keys("AKIACN", "cn-secret", role) };
        var own = new StaticCredentialsSource(new AwsCredentials("AKIDSOURCE", "source-secret"));
        using var http = new HttpClient();
        using var clients = new DestinationClients(new EcrClientFactory(http, own, DictionaryEnvironmentVariables.Of(new Dictionary<string, string>())), access, own, sts, () => store, clock);

        foreach (var destination in destinations)
        {
            await clients.CredentialsFor(access.Route(destination, SourceAccount), destination.Region).GetCredentialsAsync(CancellationToken.None);
        }

        Assert.Equal(2, sts.Calls.Count);
        Assert.All(sts.Calls, c => Assert.Equal("replicator-7f3a", c.ExternalId));
        Assert.Contains(sts.Calls, c => c.RoleArn == role && c.Region == "cn-north-1" && c.CallerKey == "AKIACN");
    }
    /// <summary>The SSM reader could not be built once: the next use builds it again, rather than rethrow that failure for good.</summary>
    [Fact]
    public async Task An_ssm_reader_that_failed_to_build_once_is_built_again_on_the_next_use()
    {
        ReplicationDestination[] destinations = [new("cn-north-1", "444444444444")];
        var access = DestinationAccess.Parse(null, null, null, "444444444444:cn-north-1=ssm:/replicator/cn", destinations, "us-east-1");
        var store = new SsmCredentialsSourceTests.FakeParameterStore { ["/replicator/cn"] = SsmCredentialsSourceTests.Keys("AKIACN", "cn-secret", null) };
        var own = new StaticCredentialsSource(new AwsCredentials("AKIDSOURCE", "source-secret"));
        var builds = 0;
        using var http = new HttpClient();
        using var clients = new DestinationClients(
            new EcrClientFactory(http, own, DictionaryEnvironmentVariables.Of(new Dictionary<string, string>())),
            access,
            own,
            new FakeSecurityTokenService(TimeProvider.System, TimeSpan.FromHours(1)),
            () => ++builds == 1 ? throw new InvalidOperationException("the SSM client could not be built") : store);
        var route = access.Route(destinations[0], SourceAccount);

        Assert.Throws<InvalidOperationException>(() => clients.CredentialsFor(route, "cn-north-1"));
        var credentials = await clients.CredentialsFor(route, "cn-north-1").GetCredentialsAsync(CancellationToken.None);

        Assert.Equal("AKIACN", credentials.AccessKeyId);
        Assert.Equal(2, builds);
    }
}
