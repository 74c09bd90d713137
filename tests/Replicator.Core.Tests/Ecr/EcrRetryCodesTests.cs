using Microsoft.Extensions.Time.Testing;
using System.Net;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using Replicator.Core.Resilience;
using Replicator.Core.Signing;

namespace Replicator.Core.Tests.Ecr;

/// <summary>
/// The error codes ECR and the SDKs really use: botocore's retry lists, LimitExceededException and
/// ThrottleException, KmsException's kmsError, and ExpiredTokenException's refresh-once.
/// </summary>
public sealed class EcrRetryCodesTests
{
    private const string Digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

    // botocore 1.43 botocore/retries/standard.py: ThrottledRetryableChecker._THROTTLED_ERROR_CODES.
    public static TheoryData<string> BotocoreThrottlingCodes => new(
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException");

    // botocore/retries/standard.py: TransientRetryableChecker._TRANSIENT_ERROR_CODES.
    public static TheoryData<string> BotocoreTransientCodes => new("RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete");

    [Theory]
    [MemberData(nameof(BotocoreThrottlingCodes))]
    public void Every_botocore_throttling_code_is_transient_throttling(string code)
    {
        Assert.True(EcrErrorClassifier.IsThrottling(code, HttpStatusCode.BadRequest));
        Assert.True(EcrErrorClassifier.IsTransient(code, HttpStatusCode.BadRequest));
    }

    [Theory]
    [MemberData(nameof(BotocoreTransientCodes))]
    public void Every_botocore_transient_code_is_transient(string code) =>
        Assert.True(EcrErrorClassifier.IsTransient(code, HttpStatusCode.BadRequest));

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(509)] // _retry.json "limit_exceeded"
    [InlineData(429)] // _retry.json "too_many_requests"
    public void Botocore_retry_statuses_are_transient(int status) =>
        Assert.True(EcrErrorClassifier.IsTransient("SomethingNew", (HttpStatusCode)status));

    [Theory]
    [InlineData(501)]
    [InlineData(505)]
    [InlineData(507)]
    public void Other_server_statuses_botocore_does_not_retry_are_permanent(int status)
    {
        Assert.False(EcrErrorClassifier.IsTransient("SomethingNew", (HttpStatusCode)status));
        var bare = EcrErrorClassifier.Parse((HttpStatusCode)status, null, default);
        Assert.False(EcrErrorClassifier.IsTransient(bare.ErrorCode, (HttpStatusCode)status));
    }

    [Fact]
    public void ThrottleException_is_throttling() =>
        Assert.True(new EcrException(EcrErrorCodes.ThrottleException, "slow down", HttpStatusCode.BadRequest) is { IsTransient: true, IsThrottling: true });

    [Theory]
    [InlineData("ThrottlingException", true, true)]
    [InlineData("KMSInternalException", true, false)]
    [InlineData("DependencyTimeoutException", true, false)]
    [InlineData("KeyUnavailableException", true, false)]
    [InlineData("KMS.ThrottlingException", true, true)]
    [InlineData("kms.throttlingexception", true, true)]
    [InlineData("kms.KMSInternalException", true, false)]
    [InlineData("KMS.TooManyRequestsException", true, true)] // a botocore throttling code, read as the KMS codes are
    [InlineData("LimitExceededException", true, true)]
    [InlineData("KMS.DisabledException", false, false)]
    [InlineData("DisabledException", false, false)]
    [InlineData("AccessDeniedException", false, false)]
    [InlineData("KMSInvalidStateException", false, false)]
    [InlineData(null, false, false)]
    public async Task KmsException_is_transient_only_when_its_kmsError_is_and_throttling_when_KMS_throttled(string? kmsError, bool transient, bool throttling)
    {
        var body = kmsError is null
            ? """{"__type":"KmsException","message":"KMS said no"}"""
            : $$"""{"__type":"KmsException","message":"KMS said no","kmsError":"{{kmsError}}"}""";
        var handler = new RecordingHandler().Respond(HttpStatusCode.BadRequest, body);
        var ex = await Assert.ThrowsAsync<EcrException>(() => TestClients.Create(handler).InitiateLayerUploadAsync(new InitiateLayerUploadRequest { RepositoryName = "app" }));

        Assert.Equal(EcrErrorCodes.KmsException, ex.ErrorCode);
        Assert.Equal(kmsError, ex.KmsError);
        Assert.Equal(transient, ex.IsTransient);
        Assert.Equal(throttling, ex.IsThrottling);
    }

    [Fact]
    public async Task The_call_runner_retries_LimitExceededException_a_bounded_number_of_times_then_the_record_is_dead_lettered()
    {
        var settings = new RetrySettings { MaxRetries = 3, BaseDelay = TimeSpan.Zero, ThrottlingBaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero };
        var runner = new EcrCallRunner(settings, TimeProvider.System, () => 0.5);
        var attempts = 0;
        var ex = await Assert.ThrowsAsync<EcrException>(() => runner.RunAsync<int, int>(
            "PutImage",
            "us-west-2",
            0,
            (_, _) =>
            {
                attempts++;
                throw new EcrException(EcrErrorCodes.LimitExceededException, "over the limit", HttpStatusCode.BadRequest);
            },
            CancellationToken.None));

        Assert.Equal(settings.MaxRetries + 1, attempts);
        var (code, message, transient) = FailureClassifier.Classify(ex, "v1", CancellationToken.None);
        Assert.Equal(EcrErrorCodes.LimitExceededException, code);
        Assert.False(transient);
        Assert.Contains("quota", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("LimitExceededException", false)]
    [InlineData("KMS.LimitExceededException", false)]
    [InlineData("ThrottlingException", true)]
    [InlineData("KMSInternalException", true)]
    public void A_KMS_quota_still_refused_after_the_call_retries_is_dead_lettered_while_KMS_throttling_is_redelivered(string kmsError, bool transient)
    {
        var refused = new EcrException(EcrErrorCodes.KmsException, "KMS said no", HttpStatusCode.BadRequest, kmsError: kmsError);

        var (code, message, redelivered) = FailureClassifier.Classify(refused, "v1", CancellationToken.None);

        Assert.Equal(EcrErrorCodes.KmsException, code);
        Assert.Equal(transient, redelivered);
        Assert.Equal(!transient, message.Contains("KMS quota", StringComparison.Ordinal));
    }

    [Fact]
    public void A_still_expired_token_is_redelivered_not_dead_lettered()
    {
        var (_, _, transient) = FailureClassifier.Classify(new EcrException(EcrErrorCodes.ExpiredTokenException, "expired", HttpStatusCode.BadRequest), "v1", CancellationToken.None);
        Assert.True(transient);
    }

    [Fact]
    public async Task ExpiredTokenException_refreshes_the_credentials_once_and_sends_again()
    {
        var handler = new RecordingHandler()
            .Respond(HttpStatusCode.BadRequest, """{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}""")
            .RespondOk("""{"images":[],"failures":[]}""");
        var credentials = new RotatingCredentials();
        var client = new EcrClient(new HttpClient(handler), credentials, new EcrClientConfig("eu-west-1"), new FakeTimeProvider(TestClients.Now));

        await client.BatchGetImageAsync(new BatchGetImageRequest { RepositoryName = "app", ImageIds = [new ImageIdentifier { ImageDigest = Digest }] });

        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(1, credentials.Invalidations);
        Assert.Contains("Credential=AKID0/", handler.Requests[0].Header("Authorization"), StringComparison.Ordinal);
        Assert.Contains("Credential=AKID1/", handler.Requests[1].Header("Authorization"), StringComparison.Ordinal);
        Assert.Equal(handler.Requests[0].BodyText, handler.Requests[1].BodyText);
    }

    [Fact]
    public async Task A_second_ExpiredTokenException_is_not_retried_by_the_client()
    {
        var handler = new RecordingHandler()
            .Respond(HttpStatusCode.BadRequest, """{"__type":"ExpiredTokenException","message":"expired"}""");
        var credentials = new RotatingCredentials();
        var client = new EcrClient(new HttpClient(handler), credentials, new EcrClientConfig("eu-west-1"), new FakeTimeProvider(TestClients.Now));

        var ex = await Assert.ThrowsAsync<EcrException>(() => client.InitiateLayerUploadAsync(new InitiateLayerUploadRequest { RepositoryName = "app" }));

        Assert.Equal(EcrErrorCodes.ExpiredTokenException, ex.ErrorCode);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(1, credentials.Invalidations);
    }

    [Theory]
    [InlineData("UnrecognizedClientException", true, 2)]
    [InlineData("InvalidClientTokenId", true, 2)]
    [InlineData("UnrecognizedClientException", false, 1)]
    public async Task A_refused_key_is_read_again_once_only_from_a_source_that_reads_rotated_keys(string code, bool rereads, int sends)
    {
        var handler = new RecordingHandler()
            .Respond(HttpStatusCode.BadRequest, $$"""{"__type":"{{code}}","message":"The security token included in the request is invalid."}""")
            .Respond(HttpStatusCode.BadRequest, $$"""{"__type":"{{code}}","message":"The security token included in the request is invalid."}""");
        var credentials = new RotatingCredentials { RereadsRefusedKeys = rereads };
        var client = new EcrClient(new HttpClient(handler), credentials, new EcrClientConfig("eu-west-1"), new FakeTimeProvider(TestClients.Now));

        var ex = await Assert.ThrowsAsync<EcrException>(() => client.InitiateLayerUploadAsync(new InitiateLayerUploadRequest { RepositoryName = "app" }));

        Assert.Equal(code, ex.ErrorCode);
        Assert.Equal(sends, handler.Requests.Count);
        Assert.Equal(sends - 1, credentials.Invalidations);
    }

    /// <summary>Hands out AKID0 until invalidated, then AKID1, and so on.</summary>
    private sealed class RotatingCredentials : IAwsCredentialsSource
    {
        public int Invalidations { get; private set; }

        public bool RereadsRefusedKeys { get; init; }

        public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(new AwsCredentials($"AKID{Invalidations}", TestClients.SecretKey, "token"));

        public void Invalidate() => Invalidations++;
    }
}
