using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Moq;
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

    /// <summary>
    /// The save runs inside <see cref="ScheduledReconcile.DeadlineMargin"/>, after the unit in flight, and the invocation's
    /// token cuts it at the deadline (the run then fails and the next one walks again what this one queued). Against an
    /// SSM that fails every attempt, the attempts are counted, and each is taken at the client's full per-attempt
    /// timeout, plus the standard retry mode's longest backoff before each retry (min(2^i s, 20 s):
    /// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html): that worst case must fit in half the
    /// margin, the other half left to the unit in flight. Before: 4 attempts of 20 s, 94 s with the backoff.
    /// </summary>
    [Fact]
    public async Task A_save_against_a_failing_SSM_makes_few_enough_attempts_that_its_worst_case_fits_inside_the_deadline_margin()
    {
        // Kestrel on port 0: a port picked free and bound later (HttpListener cannot bind port 0) could be taken in
        // between by a server of a test class running beside this one.
        var attempts = 0;
        await using var ssm = await LoopbackApp.StartAsync(async call =>
        {
            if (call.Request.Headers["X-Amz-Target"] == "AmazonSSM.PutParameter")
            {
                Interlocked.Increment(ref attempts);
            }

            call.Response.StatusCode = 500;
            call.Response.ContentType = "application/x-amz-json-1.1";
            await call.Response.Body.WriteAsync("{\"__type\":\"InternalServerError\",\"message\":\"SSM failing (test)\"}"u8.ToArray());
        });
        var client = SsmReconcileCursorStore.CreateClient(
            "eu-west-1", ssm.Endpoint, new DictionaryEnvironmentVariables(new Dictionary<string, string?>()), new BasicAWSCredentials("AKIDSSMTEST", "ssm-test-secret"));
        using (var store = new SsmReconcileCursorStore(client, "/ecr-replicator/reconcile-cursor"))
        {
            await Assert.ThrowsAnyAsync<AmazonServiceException>(() => store.SaveAsync("cursor", CancellationToken.None));
        }

        Assert.True(attempts >= 1, "the fake SSM saw no PutParameter");

        // Adaptive mode may also wait for its client-side rate limiter: not left to AWS_RETRY_MODE or a profile.
        Assert.Equal(RequestRetryMode.Standard, client.Config.RetryMode);
        var backoff = TimeSpan.Zero;
        for (var retry = 1; retry < attempts; retry++)
        {
            backoff += TimeSpan.FromSeconds(Math.Min(Math.Pow(2, retry), 20));
        }

        var worst = (attempts * client.Config.Timeout!.Value) + backoff;
        Assert.True(
            worst <= ScheduledReconcile.DeadlineMargin / 2,
            $"{attempts} attempts of {client.Config.Timeout.Value.TotalSeconds} s plus {backoff.TotalSeconds} s of backoff = {worst.TotalSeconds} s, more than half of the {ScheduledReconcile.DeadlineMargin.TotalSeconds} s margin");
    }

    [Fact]
    public void An_override_is_used_and_signed_for_the_functions_region()
    {
        using var client = SsmReconcileCursorStore.CreateClient("eu-west-1", new Uri("http://127.0.0.1:5000"), new DictionaryEnvironmentVariables(new Dictionary<string, string?>()));

        Assert.Equal("http://127.0.0.1:5000/", client.Config.ServiceURL);
        Assert.Equal("eu-west-1", client.Config.AuthenticationRegion);
    }

    /// <summary>
    /// The store builds its client at the first load, not with itself (the function builds the store at init, and only a
    /// scheduled run uses it); a build that failed is tried again at the next use; a client never built is not disposed.
    /// </summary>
    [Fact]
    public async Task The_client_is_built_at_the_first_use_again_after_a_failed_build_and_disposed_only_when_built()
    {
        var ssm = new Mock<IAmazonSimpleSystemsManagement>(MockBehavior.Strict);
        ssm.Setup(c => c.GetParameterAsync(It.IsAny<GetParameterRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new GetParameterResponse { Parameter = new Parameter { Value = "cursor" } });
        ssm.Setup(c => c.Dispose());
        var builds = 0;
        IAmazonSimpleSystemsManagement Build() => ++builds == 1 ? throw new AmazonClientException("the client could not be built") : ssm.Object;
        using (new SsmReconcileCursorStore(Build, "/p"))
        {
        }

        Assert.Equal(0, builds);
        using (var store = new SsmReconcileCursorStore(Build, "/p"))
        {
            Assert.Equal(0, builds);
            await Assert.ThrowsAsync<AmazonClientException>(() => store.LoadAsync(CancellationToken.None));
            Assert.Equal("cursor", await store.LoadAsync(CancellationToken.None));
            Assert.Equal("cursor", await store.LoadAsync(CancellationToken.None));
            Assert.Equal(2, builds);
        }

        ssm.Verify(c => c.Dispose(), Times.Once);
    }
}
