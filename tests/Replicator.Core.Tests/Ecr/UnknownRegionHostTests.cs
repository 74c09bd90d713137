using System.Net.Sockets;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using Replicator.Core.Resilience;

namespace Replicator.Core.Tests.Ecr;

/// <summary>
/// A destination region this build does not know whose endpoint host does not exist (NXDOMAIN) is most likely
/// mistyped: the call fails once, permanently, naming the host; every other DNS failure stays transient.
/// </summary>
public sealed class UnknownRegionHostTests
{
    private static readonly ListImagesRequest List = new() { RepositoryName = "app" };

    private static readonly RetrySettings NoWait = new() { MaxRetries = 3, BaseDelay = TimeSpan.Zero, ThrottlingBaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero };

    // What SocketsHttpHandler throws when the resolver fails: the SocketException carries the resolver's answer.
    private static RecordingHandler Resolver(SocketError answer) =>
        new RecordingHandler().Respond(() => throw new HttpRequestException(
            HttpRequestError.NameResolutionError, "Name or service not known", new SocketException((int)answer)));

    [Fact]
    public async Task A_mistyped_region_whose_host_does_not_exist_fails_once_permanently_naming_the_host()
    {
        var handler = Resolver(SocketError.HostNotFound);
        var client = new RetryingEcrClient(TestClients.Create(handler, region: "us-wset-2"), new EcrCallRunner(NoWait, TimeProvider.System, () => 0.5), "us-wset-2");

        var ex = await Assert.ThrowsAsync<EcrException>(() => client.ListImagesAsync(List));

        Assert.Single(handler.Requests);
        Assert.Equal(EcrErrorCodes.UnknownRegionHostNotFound, ex.ErrorCode);
        Assert.False(ex.IsTransient);
        Assert.Contains("api.ecr.us-wset-2.amazonaws.com", ex.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("us-wset-2 is not a region this build knows: the region may be mistyped", ex.ErrorMessage, StringComparison.Ordinal);
        var (code, _, transient) = FailureClassifier.Classify(ex, "v1", CancellationToken.None);
        Assert.Equal(EcrErrorCodes.UnknownRegionHostNotFound, code);
        Assert.False(transient);
    }

    [Fact]
    public async Task A_known_regions_host_not_found_is_an_outage_and_retried()
    {
        var handler = Resolver(SocketError.HostNotFound);
        var client = new RetryingEcrClient(TestClients.Create(handler, region: "us-west-2"), new EcrCallRunner(NoWait, TimeProvider.System, () => 0.5), "us-west-2");

        var ex = await Assert.ThrowsAsync<EcrException>(() => client.ListImagesAsync(List));

        Assert.Equal(NoWait.MaxRetries + 1, handler.Requests.Count);
        Assert.Equal(EcrErrorCodes.ConnectionFailure, ex.ErrorCode);
        Assert.True(ex.IsTransient);
        Assert.EndsWith("could not resolve the ECR endpoint's host name api.ecr.us-west-2.amazonaws.com", ex.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SocketError.TryAgain)] // EAI_AGAIN: the resolver could not answer now, not "no such host"
    [InlineData(SocketError.NoData)]
    public async Task An_unknown_regions_resolver_failure_other_than_no_such_host_stays_transient(SocketError answer)
    {
        var ex = await Assert.ThrowsAsync<EcrException>(() => TestClients.Create(Resolver(answer), region: "us-wset-2").ListImagesAsync(List));

        Assert.Equal(EcrErrorCodes.ConnectionFailure, ex.ErrorCode);
        Assert.True(ex.IsTransient);
    }

    [Theory]
    [InlineData("eu-west-1", false, "ecr-fips.eu-west-1.amazonaws.com")]
    [InlineData("ap-southeast-2", true, "ecr-fips.ap-southeast-2.api.aws")]
    public async Task A_FIPS_host_that_does_not_exist_fails_once_permanently_naming_the_host_and_the_setting(string region, bool dualStack, string host)
    {
        // AWS_USE_FIPS_ENDPOINT with a destination where ECR has no FIPS endpoint: the rules still build a host.
        var handler = Resolver(SocketError.HostNotFound);
        var fips = EcrEndpoints.ForRegion(region, useFips: true, useDualStack: dualStack);
        var client = new RetryingEcrClient(TestClients.Create(handler, region: region, serviceUrl: fips), new EcrCallRunner(NoWait, TimeProvider.System, () => 0.5), region);

        var ex = await Assert.ThrowsAsync<EcrException>(() => client.ListImagesAsync(List));

        Assert.Equal(host, fips.Host);
        Assert.Single(handler.Requests);
        Assert.Equal(EcrErrorCodes.FipsHostNotFound, ex.ErrorCode);
        Assert.False(ex.IsTransient);
        Assert.Contains($"host name {host} does not exist", ex.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("AWS_USE_FIPS_ENDPOINT", ex.ErrorMessage, StringComparison.Ordinal);
        Assert.False(FailureClassifier.Classify(ex, "v1", CancellationToken.None).Transient);
    }

    [Fact]
    public async Task A_FIPS_hosts_resolver_that_cannot_answer_now_stays_transient()
    {
        var fips = EcrEndpoints.ForRegion("us-east-1", useFips: true, useDualStack: false);

        var ex = await Assert.ThrowsAsync<EcrException>(() => TestClients.Create(Resolver(SocketError.TryAgain), region: "us-east-1", serviceUrl: fips).ListImagesAsync(List));

        Assert.Equal(EcrErrorCodes.ConnectionFailure, ex.ErrorCode);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task With_an_endpoint_override_the_host_is_not_the_regions_and_its_failure_stays_transient()
    {
        var client = TestClients.Create(Resolver(SocketError.HostNotFound), region: "xx-test-1", serviceUrl: new Uri("http://localecr.invalid:5000/"));

        var ex = await Assert.ThrowsAsync<EcrException>(() => client.ListImagesAsync(List));

        Assert.Equal(EcrErrorCodes.ConnectionFailure, ex.ErrorCode);
        Assert.True(ex.IsTransient);
    }
}
