using System.Threading.Channels;
using Amazon.Runtime;
using Replicator.Core.Ecr;
using Replicator.Core.Errors;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Replication;

/// <summary>An unexpected exception keeps its message, on one line and cut, so the DLQ says more than its type.</summary>
public sealed class FailureClassifierTests
{
    [Fact]
    public void An_unexpected_exception_keeps_its_message_on_one_line()
    {
        var (code, message, transient) = FailureClassifier.Classify(new InvalidOperationException("Collection was modified;\nenumeration operation may not execute."), "v1", CancellationToken.None);

        Assert.Equal("InternalError", code);
        Assert.True(transient);
        Assert.Equal("InvalidOperationException during replication: Collection was modified; enumeration operation may not execute.", message);
    }

    [Fact]
    public void A_long_message_is_cut_between_words()
    {
        var words = string.Join(' ', Enumerable.Repeat("abcdefghi", 500));

        var (_, message, _) = FailureClassifier.Classify(new InvalidOperationException(words), "v1", CancellationToken.None);

        // 30 whole words of 9 characters and their spaces fit in 300 characters; the 31st, which the cut goes through, is dropped.
        Assert.Equal("InvalidOperationException during replication: " + string.Join(' ', Enumerable.Repeat("abcdefghi", 30)) + "...", message);
    }

    [Fact]
    public void A_long_message_of_one_word_keeps_none_of_it()
    {
        var (_, message, _) = FailureClassifier.Classify(new InvalidOperationException(new string('x', 5_000)), "v1", CancellationToken.None);

        Assert.Equal("InvalidOperationException during replication: ...", message);
    }

    /// <summary>
    /// A stored key refused as unknown (ECR's UnrecognizedClientException, STS's InvalidClientTokenId at the AssumeRole
    /// of the parameter's role) sets DestinationResult.KeyRefused, which the function retries on the first receives: a
    /// key just created can be refused so for some seconds. Never for the replicator's own credentials or a role session.
    /// </summary>
    [Theory]
    [InlineData("ecr", "UnrecognizedClientException", true, true)]
    [InlineData("sts", "InvalidClientTokenId", true, true)]
    [InlineData("ecr", "UnrecognizedClientException", false, false)]
    [InlineData("sts", "InvalidClientTokenId", false, false)]
    [InlineData("ecr", "AccessDeniedException", true, false)]
    [InlineData("ecr", "ExpiredTokenException", true, false)]
    [InlineData("ecr", "InvalidSignatureException", true, false)]
    [InlineData("sts", "AccessDenied", true, false)]
    [InlineData("sts", "ExpiredToken", true, false)]
    public void Only_a_stored_key_refused_as_unknown_is_a_key_refusal(string service, string code, bool storedKey, bool refused)
    {
        Exception error = service == "ecr"
            ? new EcrException(code, "The security token included in the request is invalid.", operation: "DescribeRepositories")
            : new ReplicationException(ReplicationErrorCodes.DestinationCredentialsUnavailable, $"could not assume role arn:aws-cn:iam::333333333333:role/writer: {code}", isTransient: false, new AmazonServiceException("refused") { ErrorCode = code });

        Assert.Equal(refused, FailureClassifier.IsStoredKeyRefused(error, storedKey));
        Assert.Equal(refused, FailureClassifier.IsStoredKeyRefused(new ChannelClosedException(error), storedKey));
    }

    [Fact]
    public void A_refusal_of_something_else_than_the_credentials_is_no_key_refusal()
    {
        // The same code inside another failure than the credentials': not the key of this destination.
        var other = new ReplicationException("SomethingElse", "x", isTransient: false, new AmazonServiceException("refused") { ErrorCode = "InvalidClientTokenId" });

        Assert.False(FailureClassifier.IsStoredKeyRefused(other, signsWithStoredKey: true));
        Assert.False(FailureClassifier.IsStoredKeyRefused(new InvalidOperationException("bug"), signsWithStoredKey: true));
    }

    /// <summary>
    /// The source's key refused while the shared download asked for a layer's URL: that failure reaches every
    /// destination of the download, wrapped in each one's part queue, but the key is the source's, not the one in a
    /// destination's parameter, so no destination gets the grace of a key just put there.
    /// </summary>
    [Fact]
    public void A_source_key_refused_at_the_download_is_no_destination_key_refusal()
    {
        var download = new EcrException("UnrecognizedClientException", "The security token included in the request is invalid.", operation: "GetDownloadUrlForLayer");

        Assert.False(FailureClassifier.IsStoredKeyRefused(download, signsWithStoredKey: true));
        Assert.False(FailureClassifier.IsStoredKeyRefused(new ChannelClosedException(download), signsWithStoredKey: true));
    }

    [Theory]
    [InlineData("GetDownloadUrlForLayer", "LayerInaccessibleException", true)]
    [InlineData("GetDownloadUrlForLayer", "LayersNotFoundException", true)]
    [InlineData("GetDownloadUrlForLayer", "AccessDeniedException", false)]
    [InlineData("PutImage", "LayersNotFoundException", false)]
    [InlineData("CompleteLayerUpload", "LayerInaccessibleException", false)]
    public void Only_the_source_refusing_a_layer_download_asks_the_source_again(string operation, string code, bool refused)
    {
        var error = new EcrException(code, "refused", operation: operation);

        Assert.Equal(refused, FailureClassifier.IsSourceLayerRefused(error));
        // Inner exceptions count: a part queue's ReadAsync would hand the download's error on inside a ChannelClosedException.
        Assert.Equal(refused, FailureClassifier.IsSourceLayerRefused(new ChannelClosedException(error)));
    }
    /// <summary>
    /// What a fresh upload session cures (a lost session, a layer ECR digests otherwise than the verified download),
    /// still failing after the layer restarts, and a pull-through cache's upstream failing to serve the source: each
    /// fails its destination transient, for a redelivery, not the dead-letter queue. The upstream ones are not retried
    /// as calls (EcrException.IsTransient stays false): the redelivery's backoff is the retry.
    /// </summary>
    [Theory]
    [InlineData("UploadLayerPart", "UploadNotFoundException")]
    [InlineData("CompleteLayerUpload", "UploadNotFoundException")]
    [InlineData("CompleteLayerUpload", "InvalidLayerException")]
    [InlineData("GetDownloadUrlForLayer", "UnableToGetUpstreamLayerException")]
    [InlineData("BatchGetImage", "UnableToGetUpstreamImageException")]
    public void A_failure_a_redelivery_can_get_past_is_transient_though_not_retried_as_a_call(string operation, string code)
    {
        var error = new EcrException(code, "refused", operation: operation);

        var (classified, message, transient) = FailureClassifier.Classify(error, "v1", CancellationToken.None);

        Assert.False(error.IsTransient);
        Assert.Equal(code, classified);
        Assert.StartsWith(error.Message + "; ", message, StringComparison.Ordinal);
        Assert.True(transient);
    }

    /// <summary>
    /// Verdicts the classifier makes over the exception's own (EcrException.IsTransient is the call's retry rule, not
    /// the message's): a repository deleted mid-copy and a destination that lost the layers or children the plan found
    /// there are redelivered; a moved immutable tag is a conflict for good; a source's LayersNotFoundException at
    /// GetDownloadUrlForLayer is no destination's loss and stays permanent. (The expired token, LimitExceededException
    /// and KMS rows are EcrRetryCodesTests'.)
    /// </summary>
    [Theory]
    [InlineData("PutImage", "ImageTagAlreadyExistsException", "ImmutableTagConflict", false)]
    [InlineData("PutImage", "RepositoryNotFoundException", "RepositoryNotFoundException", true)]
    [InlineData("PutImage", "LayersNotFoundException", "LayersNotFoundException", true)]
    [InlineData("PutImage", "ReferencedImagesNotFoundException", "ReferencedImagesNotFoundException", true)]
    [InlineData("GetDownloadUrlForLayer", "LayersNotFoundException", "LayersNotFoundException", false)]
    public void A_destination_failure_is_classified_by_what_a_redelivery_can_change(string operation, string code, string expectedCode, bool expectedTransient)
    {
        var error = new EcrException(code, "refused", System.Net.HttpStatusCode.BadRequest, operation: operation);

        var (classified, _, transient) = FailureClassifier.Classify(error, "v1", CancellationToken.None);

        Assert.Equal(expectedCode, classified);
        Assert.Equal(expectedTransient, transient);
    }

    [Fact]
    public void A_manifest_that_does_not_parse_is_permanent()
    {
        var (code, _, transient) = FailureClassifier.Classify(new Core.Manifests.ManifestException("layers[0].size is missing"), "v1", CancellationToken.None);

        Assert.Equal(ReplicationErrorCodes.InvalidManifest, code);
        Assert.False(transient);
    }

    /// <summary>
    /// A cancellation is the deadline's only when the copy's own token fired; one from elsewhere (a timeout inside a
    /// call that was not turned into an EcrException) is an unexpected failure and says so in the dead-letter entry.
    /// </summary>
    [Fact]
    public void A_cancellation_is_the_deadline_only_when_the_copys_token_fired()
    {
        using var fired = new CancellationTokenSource();
        fired.Cancel();

        var (deadline, _, deadlineTransient) = FailureClassifier.Classify(new OperationCanceledException(fired.Token), "v1", fired.Token);
        var (other, _, _) = FailureClassifier.Classify(new OperationCanceledException(), "v1", CancellationToken.None);

        Assert.Equal(ReplicationErrorCodes.DeadlineExceeded, deadline);
        Assert.True(deadlineTransient);
        Assert.Equal("InternalError", other);
    }
}
