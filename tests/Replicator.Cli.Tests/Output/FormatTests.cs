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

    /// <summary>
    /// A size moves to the next unit at exactly 1024 of the one below, as binary prefixes count (1 KiB is 1024 B), and
    /// stays in TiB, the largest unit, above that: 1024 B is never "1024 B" and a PiB reads as TiB, not as an index
    /// past the units.
    /// </summary>
    [Theory]
    [InlineData(1024, "1.0 KiB")]
    [InlineData(1024L * 1024, "1.0 MiB")]
    [InlineData(1024L * 1024 * 1024 * 1024, "1.0 TiB")]
    [InlineData(1024L * 1024 * 1024 * 1024 * 1024, "1024.0 TiB")]
    public void Bytes_step_up_a_unit_at_exactly_1024_and_stop_at_TiB(long bytes, string expected) => Assert.Equal(expected, Format.Bytes(bytes));

    /// <summary>The not-done table's Time column: milliseconds under a second, seconds from one second on.</summary>
    [Theory]
    [InlineData(999, "999 ms")]
    [InlineData(1000, "1.0 s")]
    [InlineData(1500, "1.5 s")]
    public void Durations_are_milliseconds_under_a_second_and_seconds_from_one(int milliseconds, string expected) =>
        Assert.Equal(expected, Format.Duration(TimeSpan.FromMilliseconds(milliseconds)));

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

    /// <summary>
    /// The reason may sit two levels down: HttpClient words a TLS failure "The SSL connection could not be established,
    /// see inner exception." and names the cause (a TLS-inspecting proxy's certificate the machine does not trust) only
    /// in the AuthenticationException below it. The line carries both, so the operator is not sent to a stack trace
    /// the CLI never prints.
    /// </summary>
    [Fact]
    public void A_cause_below_the_first_inner_exception_is_carried_too()
    {
        var tls = new Amazon.Runtime.AmazonClientException(
            "Error calling AssumeRole for role arn:aws:iam::123456789012:role/ops",
            new HttpRequestException(
                "The SSL connection could not be established, see inner exception.",
                new System.Security.Authentication.AuthenticationException("The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot")));

        var line = Format.ErrorLine(tls);

        Assert.StartsWith("AmazonClientException: Error calling AssumeRole for role arn:aws:iam::123456789012:role/ops: The SSL connection could not be established", line, StringComparison.Ordinal);
        Assert.EndsWith(": The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot", line, StringComparison.Ordinal);
    }
}
