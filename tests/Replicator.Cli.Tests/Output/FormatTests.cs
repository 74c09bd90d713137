using Replicator.Cli.Output;
using Replicator.Core.Ecr;
using Replicator.Core.Errors;
using Replicator.Core.Replication;

namespace Replicator.Cli.Tests.Output;

public sealed class FormatTests
{
    [Theory]
    [InlineData("sha256:0123456789abcdef0123", "sha256:0123456789ab")]
    [InlineData("sha256:0123", "sha256:0123")]
    [InlineData(null, "-")]
    public void Short_digests_keep_twelve_hex_digits(string? digest, string expected) => Assert.Equal(expected, Format.ShortDigest(digest));

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(5L * 1024 * 1024 * 1024, "5.0 GiB")]
    public void Bytes_use_binary_units(long bytes, string expected) => Assert.Equal(expected, Format.Bytes(bytes));

    [Fact]
    public void A_failure_is_one_line_with_presigned_queries_and_keys_redacted()
    {
        var failed = new DestinationResult(
            new ReplicationDestination("us-west-2"), ReplicationOutcome.Failed, null, 0, 0, 0, TimeSpan.Zero,
            "LayerDownloadFailed",
            "GET https://prod-us-east-1-starport-layer-bucket.s3.amazonaws.com/a/b?X-Amz-Signature=abc123&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE answered 403\nsecond line");

        var line = Format.Failure(failed);

        Assert.StartsWith("LayerDownloadFailed: GET https://prod-us-east-1-starport-layer-bucket.s3.amazonaws.com/a/b", line, StringComparison.Ordinal);
        Assert.DoesNotContain("abc123", line, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", line, StringComparison.Ordinal);
        Assert.DoesNotContain("second line", line, StringComparison.Ordinal);
    }

    [Fact]
    public void An_error_is_the_line_the_CLI_prints_for_it_redacted_as_a_failure()
    {
        // verify's unreadable destinations carry it as their reason.
        var denied = new EcrException(EcrErrorCodes.AccessDeniedException, "denied for AKIAIOSFODNN7EXAMPLE\nsecond line", operation: "DescribeImages");
        var refused = new ReplicationException(ReplicationErrorCodes.DestinationCredentialsUnavailable, "could not assume role arn:aws:iam::999999999999:role/r: AccessDenied", isTransient: false);

        var ecr = Format.Failure(denied);

        Assert.StartsWith("DescribeImages: AccessDeniedException: denied for ", ecr, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", ecr, StringComparison.Ordinal);
        Assert.DoesNotContain("second line", ecr, StringComparison.Ordinal);
        Assert.Equal("DestinationCredentialsUnavailable: could not assume role arn:aws:iam::999999999999:role/r: AccessDenied", Format.Failure(refused));
    }

    /// <summary>
    /// AWSSDK.Core wraps a profile role's failure in "Error calling AssumeRole for role ARN" and keeps the cause inner
    /// (an STS endpoint that refuses the connection, STS's refusal): the line carries it, each cause once (an
    /// HttpRequestException's message already says its socket error's; an inner text of the test's own, not the
    /// operating system's, which words it differently on Windows), and the redaction still applies to it.
    /// </summary>
    [Fact]
    public void An_sdk_client_error_carries_its_inner_causes_once_and_redacted()
    {
        const string role = "arn:aws:iam::123456789012:role/ops";
        var unreachable = new Amazon.Runtime.AmazonClientException(
            $"Error calling AssumeRole for role {role}",
            new HttpRequestException("Connection refused (127.0.0.1:5998)", new IOException("Connection refused")));
        var leaking = new Amazon.Runtime.AmazonClientException(
            $"Error calling AssumeRole for role {role}",
            new InvalidOperationException("GET https://sts.example/?X-Amz-Signature=abc123def&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE failed\nsecond line"));

        Assert.Equal($"AmazonClientException: Error calling AssumeRole for role {role}: Connection refused (127.0.0.1:5998)", Format.ErrorLine(unreachable));
        var redacted = Format.Failure(leaking);
        Assert.StartsWith($"AmazonClientException: Error calling AssumeRole for role {role}: GET https://sts.example/", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("abc123def", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("second line", redacted, StringComparison.Ordinal);
    }
}
