using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace LocalEcr.Tests.Faults;

public sealed class FaultInjectionTests
{
    [Fact]
    public async Task FailNext_fails_exactly_N_calls_of_one_operation_with_the_given_error()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        server.Faults.FailNext("DescribeRepositories", 2, "ThrottlingException", 400);
        (await client.CallAsync("GetAuthorizationToken")).EnsureOk();
        (await client.CallAsync("DescribeRepositories")).AssertError("ThrottlingException");
        (await client.CallAsync("DescribeRepositories")).AssertError("ThrottlingException");
        (await client.CallAsync("DescribeRepositories")).EnsureOk();
        Assert.Equal(3, server.Calls.Count("us-east-1", "DescribeRepositories"));
    }

    [Fact]
    public async Task FailNext_with_no_code_sends_an_empty_5xx()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        server.Faults.FailNext("GetAuthorizationToken", 1, null, 503);
        var response = await client.CallAsync("GetAuthorizationToken");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
        Assert.Equal(string.Empty, response.Body);
    }

    [Fact]
    public async Task FailNext_can_target_one_region()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var east = new EcrTestClient(server, "us-east-1");
        using var west = east.WithRegion("us-west-2");
        server.Faults.FailNext("DescribeRepositories", 1, "ServerException", 500, region: "us-west-2");
        (await east.CallAsync("DescribeRepositories")).EnsureOk();
        (await west.CallAsync("DescribeRepositories")).AssertError("ServerException", HttpStatusCode.InternalServerError);
        (await west.CallAsync("DescribeRepositories")).EnsureOk();
    }

    [Fact]
    public async Task DelayResponses_holds_answers_on_the_injected_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { TimeProvider = time });
        using var client = new EcrTestClient(server) { Clock = time };
        server.Faults.DelayResponses("GetAuthorizationToken", TimeSpan.FromSeconds(30), count: 1);
        var pending = client.CallAsync("GetAuthorizationToken");
        await server.Faults.TimersArmedAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(30));
        (await pending.WaitAsync(TimeSpan.FromSeconds(30))).EnsureOk();
        (await client.CallAsync("GetAuthorizationToken").WaitAsync(TimeSpan.FromSeconds(30))).EnsureOk();
    }

    [Fact]
    public async Task The_admin_endpoint_drives_faults_and_reports_calls_without_signature()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server, "eu-north-1");
        using var admin = new HttpClient { BaseAddress = server.BaseAddress };

        using (var set = await admin.PostAsync("_localecr/faults/fail", Json("{\"operation\":\"GetAuthorizationToken\",\"count\":1,\"errorCode\":\"ThrottlingException\",\"statusCode\":400}")))
        {
            Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        }

        (await client.CallAsync("GetAuthorizationToken")).AssertError("ThrottlingException");
        (await client.CallAsync("GetAuthorizationToken")).EnsureOk();

        var calls = JsonNode.Parse(await admin.GetStringAsync("_localecr/calls"))!["calls"]!.AsArray();
        var entry = Assert.Single(calls)!;
        Assert.Equal("eu-north-1", entry["region"]!.GetValue<string>());
        Assert.Equal("GetAuthorizationToken", entry["operation"]!.GetValue<string>());
        Assert.Equal(2, entry["count"]!.GetValue<int>());

        using (var reset = await admin.PostAsync("_localecr/reset-calls", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }

        Assert.Equal(0, server.Calls.Count("eu-north-1", "GetAuthorizationToken"));

        using (var bad = await admin.PostAsync("_localecr/faults/fail", Json("{\"count\":1}")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        using var unknown = await admin.PostAsync("_localecr/faults/nonsense", Json("{}"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task The_admin_endpoint_forgets_uploads_and_clears_faults()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        using var admin = new HttpClient { BaseAddress = server.BaseAddress };
        await TestImages.CreateRepositoryAsync(client, "app");
        var uploadId = await TestImages.InitiateUploadAsync(client, "app");
        (await admin.PostAsync("_localecr/forget-uploads", null)).Dispose();
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, new byte[10], 0, 10))).AssertError("UploadNotFoundException");

        (await admin.PostAsync("_localecr/faults/fail", Json("{\"operation\":\"ListImages\",\"count\":5,\"errorCode\":\"ThrottlingException\"}"))).Dispose();
        (await admin.PostAsync("_localecr/faults/clear", null)).Dispose();
        (await client.CallAsync("ListImages", new JsonObject { ["repositoryName"] = "app" })).EnsureOk();
    }

    [Fact]
    public async Task The_admin_endpoint_cuts_and_expires_downloads()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        using var admin = new HttpClient { BaseAddress = server.BaseAddress };
        await TestImages.CreateRepositoryAsync(client, "app");
        var digest = await TestImages.UploadBlobAsync(client, "app", TestImages.RandomBytes(50_000, 1));
        await TestImages.ReferenceLayerAsync(client, "app", digest, 50_000);
        var url = await TestImages.DownloadUrlAsync(client, "app", digest);
        (await admin.PostAsync("_localecr/faults/cut-download", Json("{\"afterBytes\":10}"))).Dispose();
        using (var cut = await client.GetAsync(url))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => cut.Content.ReadAsByteArrayAsync());
        }

        (await admin.PostAsync("_localecr/expire-download-urls", null)).Dispose();
        using var expired = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
    }

    /// <summary>
    /// The HTTP routes the README's fault table gives for DelayResponses, StallDownloadAfter and CorruptDownload do what
    /// the in-process calls do, with their members read as documented (delayMs and stallMs on the server's clock,
    /// offset, digest, count): an out-of-process harness (the bench, the soak) drives LocalEcr through them only. A
    /// route that is not GET calls answers 405 to a GET.
    /// </summary>
    [Fact]
    public async Task The_admin_endpoint_delays_answers_and_stalls_and_corrupts_downloads_on_the_server_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { TimeProvider = time });
        using var client = new EcrTestClient(server) { Clock = time };
        using var admin = new HttpClient { BaseAddress = server.BaseAddress };
        await TestImages.CreateRepositoryAsync(client, "app");
        var data = TestImages.RandomBytes(50_000, 7);
        var digest = await TestImages.UploadBlobAsync(client, "app", data);
        await TestImages.ReferenceLayerAsync(client, "app", digest, data.Length);

        using (var delay = await admin.PostAsync("_localecr/faults/delay", Json("{\"operation\":\"ListImages\",\"delayMs\":30000,\"count\":1}")))
        {
            Assert.Equal(HttpStatusCode.NoContent, delay.StatusCode);
        }

        var held = client.CallAsync("ListImages", new JsonObject { ["repositoryName"] = "app" });
        await server.Faults.TimersArmedAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(held.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(30));
        (await held.WaitAsync(TimeSpan.FromSeconds(30))).EnsureOk();

        (await admin.PostAsync("_localecr/faults/corrupt-download", Json($"{{\"offset\":100,\"digest\":\"{digest}\",\"count\":1}}"))).Dispose();
        var url = await TestImages.DownloadUrlAsync(client, "app", digest);
        using (var corrupted = await client.GetAsync(url))
        {
            var served = await corrupted.Content.ReadAsByteArrayAsync();
            Assert.Equal((byte)~data[100], served[100]);
            served[100] = data[100];
            Assert.Equal(data, served);
        }

        (await admin.PostAsync("_localecr/faults/stall-download", Json($"{{\"afterBytes\":1000,\"stallMs\":300000,\"digest\":\"{digest}\"}}"))).Dispose();
        using var stalled = await client.GetAsync(url);
        await using var stream = await stalled.Content.ReadAsStreamAsync();
        var head = new byte[1000];
        await stream.ReadExactlyAsync(head);
        var rest = TestImages.ReadRestInBackground(stream);
        await server.Faults.TimersArmedAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(rest.IsCompleted);
        time.Advance(TimeSpan.FromMinutes(5));
        byte[] whole = [.. head, .. await rest.WaitAsync(TimeSpan.FromSeconds(30))];
        Assert.Equal(data, whole);

        using var get = await admin.GetAsync("_localecr/faults/delay");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
}
