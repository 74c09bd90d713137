using System.Net;
using System.Security.Cryptography;
using Replicator.Core.Copy;
using Replicator.Core.Errors;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Copy;

/// <summary>The verifying reader on canned HTTP answers: size cap, digest check, https rule, no URL in messages.</summary>
public sealed class BlobDownloadTests
{
    private const string SecretUrl = "https://bucket.s3.amazonaws.com/layer?X-Amz-Signature=deadbeef&X-Amz-Credential=AKIDSECRET";
    private static readonly byte[] Content = RandomNumberGenerator.GetBytes(10_000);
    private static readonly string ContentDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Content));
    private static readonly BlobCopyOptions Options = new() { ReadTimeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task The_exact_bytes_verify()
    {
        using var download = Download(Content, Content.Length);

        var filled = await download.FillAsync(new byte[20_000], CancellationToken.None);
        download.Verify();

        Assert.Equal(Content.Length, filled);
    }

    [Fact]
    public async Task A_body_longer_than_the_descriptor_is_cut_off_and_refused()
    {
        using var download = Download([.. Content, 1, 2, 3], Content.Length);

        var error = await Assert.ThrowsAsync<ReplicationException>(async () => await download.FillAsync(new byte[20_000], CancellationToken.None));

        Assert.Equal(ReplicationErrorCodes.SizeMismatch, error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.Equal(Content.Length, download.Position);
    }

    [Fact]
    public async Task Bytes_that_hash_to_another_digest_fail_verification_without_naming_the_url()
    {
        var tampered = (byte[])Content.Clone();
        tampered[5] ^= 0xff;
        using var download = Download(tampered, Content.Length);

        await download.FillAsync(new byte[20_000], CancellationToken.None);
        var error = Assert.Throws<ReplicationException>(download.Verify);

        Assert.Equal(ReplicationErrorCodes.DigestMismatch, error.ErrorCode);
        Assert.DoesNotContain("X-Amz", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("bucket", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_http_url_is_refused_unless_an_endpoint_override_allows_it()
    {
        using var handler = new CannedHandler(Content);
        using var http = new HttpClient(handler);
        using var download = new BlobDownload(http, _ => Task.FromResult(new Uri("http://bucket.example/layer?X-Amz-Signature=x")), ContentDigest, Content.Length, Options, maxResumes: 5);

        var error = await Assert.ThrowsAsync<ReplicationException>(async () => await download.FillAsync(new byte[100], CancellationToken.None));

        Assert.Equal(ReplicationErrorCodes.InsecureDownloadUrl, error.ErrorCode);
        Assert.DoesNotContain("X-Amz", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, handler.Requests);
    }

    [Fact]
    public async Task A_server_error_on_every_attempt_gives_up_after_the_resume_budget()
    {
        using var handler = new CannedHandler(Content) { Status = HttpStatusCode.InternalServerError };
        using var http = new HttpClient(handler);
        using var download = new BlobDownload(http, _ => Task.FromResult(new Uri(SecretUrl)), ContentDigest, Content.Length, Options, maxResumes: 2);

        var error = await Assert.ThrowsAsync<ReplicationException>(async () => await download.FillAsync(new byte[100], CancellationToken.None));

        Assert.Equal(ReplicationErrorCodes.DownloadFailed, error.ErrorCode);
        Assert.True(error.IsTransient);
        Assert.Equal(3, handler.Requests);
        Assert.DoesNotContain("X-Amz", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inline_data_needs_no_request_and_is_still_verified()
    {
        using var handler = new CannedHandler(Content);
        using var http = new HttpClient(handler);
        using var download = new BlobDownload(http, _ => throw new InvalidOperationException("no URL needed"), ContentDigest, Content.Length, Options, maxResumes: 5, Content);

        await download.FillAsync(new byte[20_000], CancellationToken.None);
        download.Verify();

        Assert.Equal(0, handler.Requests);
    }

    private static BlobDownload Download(byte[] body, long declaredSize)
    {
        var http = new HttpClient(new CannedHandler(body));
        return new BlobDownload(http, _ => Task.FromResult(new Uri(SecretUrl)), ContentDigest, declaredSize, Options, maxResumes: 5);
    }

    private sealed class CannedHandler(byte[] body) : HttpMessageHandler
    {
        public HttpStatusCode Status { get; init; } = HttpStatusCode.OK;

        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            return Task.FromResult(new HttpResponseMessage(Status) { Content = new ByteArrayContent(body) });
        }
    }
}
