using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace LocalEcr.Tests.Downloads;

public sealed class DownloadUrlTests
{
    private static async Task<(LocalEcrServer Server, EcrTestClient Client, byte[] Data, string Digest)> StartWithBlobAsync(FakeTimeProvider? time = null, int size = 300_000)
    {
        var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { TimeProvider = time });
        var client = new EcrTestClient(server, "eu-west-1") { Clock = (TimeProvider?)time ?? TimeProvider.System };
        await TestImages.CreateRepositoryAsync(client, "app");
        var data = TestImages.RandomBytes(size, 42);
        var digest = await TestImages.UploadBlobAsync(client, "app", data);
        await TestImages.ReferenceLayerAsync(client, "app", digest, data.Length);
        return (server, client, data, digest);
    }

    [Fact]
    public async Task A_layer_no_image_references_is_LayerInaccessible()
    {
        // The model's LayerInaccessibleException: "not associated with an image. Unassociated image layers
        // may be cleaned up at any time."
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server, "eu-west-1");
        await TestImages.CreateRepositoryAsync(client, "app");
        var data = TestImages.RandomBytes(1000, 43);
        var digest = await TestImages.UploadBlobAsync(client, "app", data);

        (await client.CallAsync("GetDownloadUrlForLayer", new JsonObject { ["repositoryName"] = "app", ["layerDigest"] = digest })).AssertError("LayerInaccessibleException");

        await TestImages.ReferenceLayerAsync(client, "app", digest, data.Length);
        await UrlAsync(client, digest);
    }

    /// <summary>
    /// ECR serves the licensed Windows layers a push with allow-nondistributable-artifacts uploaded
    /// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html, "Windows images considerations"):
    /// a foreign layer the repository holds is associated with the image that names it.
    /// </summary>
    [Theory]
    [InlineData("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip")]
    [InlineData("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip")]
    public async Task A_foreign_layer_the_repository_holds_is_served_once_an_image_names_it(string mediaType)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server, "eu-west-1");
        await TestImages.CreateRepositoryAsync(client, "app");
        var data = TestImages.RandomBytes(1000, 44);
        var digest = await TestImages.UploadBlobAsync(client, "app", data);
        (await client.CallAsync("GetDownloadUrlForLayer", new JsonObject { ["repositoryName"] = "app", ["layerDigest"] = digest })).AssertError("LayerInaccessibleException");

        var config = Encoding.UTF8.GetBytes("{\"os\":\"windows\"}");
        var configDigest = await TestImages.UploadBlobAsync(client, "app", config);
        var manifest = TestImages.ImageManifest(configDigest, config.Length, (digest, data.Length, mediaType));
        (await client.CallAsync("PutImage", new JsonObject { ["repositoryName"] = "app", ["imageManifest"] = manifest })).EnsureOk();

        using var response = await client.GetAsync(await UrlAsync(client, digest));
        Assert.Equal(data, await response.Content.ReadAsByteArrayAsync());
    }

    private static async Task<string> UrlAsync(EcrTestClient client, string digest)
    {
        var response = (await client.CallAsync("GetDownloadUrlForLayer", new JsonObject { ["repositoryName"] = "app", ["layerDigest"] = digest })).EnsureOk().Json;
        Assert.Equal(digest, response["layerDigest"]!.GetValue<string>());
        return response["downloadUrl"]!.GetValue<string>();
    }

    /// <summary>
    /// ECR's download URL is an S3 presigned GET, and SigV4 signs the method: S3 refuses a HEAD with it (403). A HEAD
    /// probe must not work here either; the URL still serves its GET afterwards.
    /// </summary>
    [Fact]
    public async Task A_HEAD_on_the_download_url_is_refused_as_S3_refuses_a_presigned_GET_used_for_another_method()
    {
        var (server, client, data, digest) = await StartWithBlobAsync();
        await using var _ = server;
        using var __ = client;
        var url = await UrlAsync(client, digest);

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, url);
        using var head = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, head.StatusCode);
        Assert.Equal(0, server.Calls.Count("eu-west-1", CallLog.DownloadLayer));

        using var get = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(data.Length, (await get.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task The_download_url_is_on_LocalEcr_unguessable_and_serves_the_blob()
    {
        var (server, client, data, digest) = await StartWithBlobAsync();
        await using var _ = server;
        using var __ = client;
        var url = await UrlAsync(client, digest);
        var other = await UrlAsync(client, digest);
        Assert.StartsWith(server.BaseAddress + "_blobs/", url, StringComparison.Ordinal);
        Assert.NotEqual(url, other);
        Assert.True(url.Length - (server.BaseAddress + "_blobs/").Length >= 40);

        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(digest, TestImages.Digest(body));
        Assert.Equal(1, server.Calls.Count("eu-west-1", CallLog.DownloadLayer));

        using var guessed = await client.GetAsync(server.BaseAddress + "_blobs/" + digest);
        Assert.Equal(HttpStatusCode.Forbidden, guessed.StatusCode);
    }

    [Fact]
    public async Task Absent_layers_are_LayersNotFound()
    {
        var (server, client, _, _) = await StartWithBlobAsync();
        await using var _ = server;
        using var __ = client;
        (await client.CallAsync("GetDownloadUrlForLayer", new JsonObject { ["repositoryName"] = "app", ["layerDigest"] = "sha256:" + new string('1', 64) })).AssertError("LayersNotFoundException");
        (await client.CallAsync("GetDownloadUrlForLayer", new JsonObject { ["repositoryName"] = "nope", ["layerDigest"] = "sha256:" + new string('1', 64) })).AssertError("RepositoryNotFoundException");
    }

    [Theory]
    [InlineData("bytes=100-199", 100, 199)]
    [InlineData("bytes=299900-", 299900, 299999)]
    [InlineData("bytes=-50", 299950, 299999)]
    [InlineData("bytes=299990-400000", 299990, 299999)]
    public async Task Range_requests_get_206_with_Content_Range(string range, long start, long end)
    {
        var (server, client, data, digest) = await StartWithBlobAsync();
        await using var _ = server;
        using var __ = client;
        using var response = await client.GetAsync(await UrlAsync(client, digest), range);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {start}-{end}/{data.Length}", response.Content.Headers.ContentRange!.ToString());
        Assert.Equal(data.AsSpan((int)start, (int)(end - start + 1)).ToArray(), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task An_unsatisfiable_range_is_416()
    {
        var (server, client, data, digest) = await StartWithBlobAsync();
        await using var _ = server;
        using var __ = client;
        using var response = await client.GetAsync(await UrlAsync(client, digest), $"bytes={data.Length}-");
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal($"bytes */{data.Length}", response.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task Urls_expire_after_their_lifetime_on_the_injected_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (server, client, _, digest) = await StartWithBlobAsync(time);
        await using var _ = server;
        using var __ = client;
        var url = await UrlAsync(client, digest);
        time.Advance(TimeSpan.FromMinutes(14));
        using (var fresh = await client.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        time.Advance(TimeSpan.FromMinutes(1));
        using var expired = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        Assert.Contains("<Code>AccessDenied</Code><Message>Request has expired</Message>", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("application/xml", expired.Content.Headers.ContentType?.MediaType); // S3's error responses are XML
    }

    [Fact]
    public async Task ExpireDownloadUrls_expires_every_issued_url_now()
    {
        var (server, client, _, digest) = await StartWithBlobAsync();
        await using var _ = server;
        using var __ = client;
        var url = await UrlAsync(client, digest);
        server.Faults.ExpireDownloadUrls();
        using var expired = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        using var fresh = await client.GetAsync(await UrlAsync(client, digest));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task A_cut_download_aborts_after_the_given_bytes_once()
    {
        var (server, client, data, digest) = await StartWithBlobAsync();
        await using var _ = server;
        using var __ = client;
        server.Faults.CutDownloadAfter(100_000, digest);
        var url = await UrlAsync(client, digest);
        using (var response = await client.GetAsync(url))
        {
            await using var stream = await response.Content.ReadAsStreamAsync();
            var received = 0L;
            var buffer = new byte[8192];
            var failure = await Record.ExceptionAsync(async () =>
            {
                int read;
                while ((read = await stream.ReadAsync(buffer)) > 0)
                {
                    received += read;
                }
            });
            Assert.NotNull(failure);
            Assert.Equal(100_000, received);
        }

        using var retry = await client.GetAsync(url);
        Assert.Equal(data, await retry.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_cut_download_ends_the_connection_cleanly_after_its_bytes_so_none_is_lost_to_a_reset()
    {
        // A reset (RST) makes the kernel discard what the client has not read yet, so whether the client saw the
        // bytes before the cut would depend on its scheduling. On a raw socket: the headers, exactly the bytes
        // before the cut, then end of stream; never ECONNRESET.
        var (server, client, data, digest) = await StartWithBlobAsync();
        await using var _ = server;
        using var __ = client;
        server.Faults.CutDownloadAfter(100_000, digest);
        var url = new Uri(await UrlAsync(client, digest));
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(url.Host, url.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\n\r\n"));

        // Bounded so that a server that keeps the connection open fails this test instead of hanging it.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var received = new MemoryStream();
        var buffer = new byte[65536];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, bound.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        var bytes = received.ToArray();
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        var head = Encoding.ASCII.GetString(bytes, 0, end);
        Assert.StartsWith("HTTP/1.1 200", head, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 300000", head, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(data.AsSpan(0, 100_000).ToArray(), bytes[end..]);
    }

    [Fact]
    public async Task A_cut_that_expires_urls_leaves_the_resume_forbidden_and_a_new_url_working()
    {
        var (server, client, data, digest) = await StartWithBlobAsync();
        await using var _ = server;
        using var __ = client;
        server.Faults.CutDownloadAfter(100_000, digest, expireUrls: true);
        var url = await UrlAsync(client, digest);
        using (var response = await client.GetAsync(url))
        {
            await using var stream = await response.Content.ReadAsStreamAsync();
            Assert.NotNull(await Record.ExceptionAsync(() => stream.CopyToAsync(Stream.Null)));
        }

        using var resume = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.Forbidden, resume.StatusCode);
        using var fresh = await client.GetAsync(await UrlAsync(client, digest));
        Assert.Equal(data, await fresh.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_corrupted_download_flips_one_byte_as_served_only()
    {
        var (server, client, data, digest) = await StartWithBlobAsync();
        await using var _ = server;
        using var __ = client;
        server.Faults.CorruptDownload(offset: 12345);
        var url = await UrlAsync(client, digest);
        using var bad = await client.GetAsync(url);
        var served = await bad.Content.ReadAsByteArrayAsync();
        Assert.NotEqual(digest, TestImages.Digest(served));
        Assert.Equal((byte)(data[12345] ^ 0xFF), served[12345]);
        served[12345] = data[12345];
        Assert.Equal(data, served);
        using var good = await client.GetAsync(url);
        Assert.Equal(digest, TestImages.Digest(await good.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task A_stalled_download_waits_on_the_injected_clock_then_completes()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (server, client, data, digest) = await StartWithBlobAsync(time);
        await using var _ = server;
        using var __ = client;
        server.Faults.StallDownloadAfter(1000, TimeSpan.FromMinutes(5), digest);
        var url = await UrlAsync(client, digest);
        using var response = await client.GetAsync(url);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var head = new byte[1000];
        await stream.ReadExactlyAsync(head);
        Assert.Equal(data.AsSpan(0, 1000).ToArray(), head);
        var rest = TestImages.ReadRestInBackground(stream);
        await server.Faults.TimersArmedAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(rest.IsCompleted);
        time.Advance(TimeSpan.FromMinutes(5));
        var tail = await rest.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(data.AsSpan(1000).ToArray(), tail);
    }

    [Fact]
    public async Task Large_blobs_stream_in_and_out_intact()
    {
        var (server, client, data, digest) = await StartWithBlobAsync(size: (16 * 1024 * 1024) + 17);
        await using var _ = server;
        using var __ = client;
        using var response = await client.GetAsync(await UrlAsync(client, digest));
        await using var stream = await response.Content.ReadAsStreamAsync();
        var hash = await SHA256.HashDataAsync(stream);
        Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(hash));
        Assert.Equal(data.Length, response.Content.Headers.ContentLength);
    }
}
