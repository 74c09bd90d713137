using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace LocalEcr.Tests.Hosting;

public sealed class ServerLifecycleTests
{
    [Fact]
    public async Task Many_servers_run_side_by_side_with_their_own_state()
    {
        var servers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => LocalEcrServer.StartAsync(new LocalEcrOptions())));
        try
        {
            Assert.Equal(4, servers.Select(s => s.BaseAddress.Port).Distinct().Count());
            Assert.All(servers, s => Assert.Equal("127.0.0.1", s.BaseAddress.Host));
            using var first = new EcrTestClient(servers[0]);
            using var second = new EcrTestClient(servers[1]);
            await TestImages.CreateRepositoryAsync(first, "only-here");
            (await second.CallAsync("DescribeRepositories", new JsonObject { ["repositoryNames"] = new JsonArray("only-here") })).AssertError("RepositoryNotFoundException");
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_temporary_data_directory_is_removed_on_dispose_and_a_given_one_kept()
    {
        var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        var temporary = server.DataDirectory;
        Assert.True(Directory.Exists(temporary));
        await server.DisposeAsync();
        Assert.False(Directory.Exists(temporary));

        var given = Directory.CreateTempSubdirectory("localecr-given-");
        try
        {
            await using (var kept = await LocalEcrServer.StartAsync(new LocalEcrOptions { DataDirectory = given.FullName }))
            {
                using var client = new EcrTestClient(kept);
                await TestImages.CreateRepositoryAsync(client, "app");
                var digest = await TestImages.UploadBlobAsync(client, "app", TestImages.RandomBytes(64, 1));
                Assert.True(File.Exists(Path.Combine(given.FullName, "blobs", "sha256", digest[7..])));
            }

            Assert.True(Directory.Exists(given.FullName));
        }
        finally
        {
            given.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_account_option_sets_the_registry_id()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { AccountId = "111122223333" });
        Assert.Equal("111122223333", server.AccountId);
        using var client = new EcrTestClient(server);
        var repository = (await client.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = "app" })).EnsureOk().Json["repository"]!;
        Assert.Equal("111122223333", repository["registryId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invalid_options_are_refused_before_listening()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => LocalEcrServer.StartAsync(new LocalEcrOptions { AccountId = "12" }));
        await Assert.ThrowsAsync<ArgumentException>(() => LocalEcrServer.StartAsync(new LocalEcrOptions { Host = "example.com" }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => LocalEcrServer.StartAsync(new LocalEcrOptions { Port = 70000 }));
    }

    /// <summary>
    /// Accounts are checked as a whole before anything listens: keys must not be empty, every other account needs 12
    /// digits and keys, and no account or access key may appear twice (a key of two accounts would sign as either).
    /// </summary>
    [Fact]
    public async Task Accounts_with_empty_keys_malformed_ids_or_a_shared_id_or_key_are_refused_saying_which_rule()
    {
        static LocalEcrOptions With(params LocalEcrAccount[] others)
        {
            var options = new LocalEcrOptions();
            foreach (var other in others)
            {
                options.OtherAccounts.Add(other);
            }

            return options;
        }

        var emptySecret = await Assert.ThrowsAsync<ArgumentException>(() => LocalEcrServer.StartAsync(new LocalEcrOptions { SecretKey = "" }));
        var shortId = await Assert.ThrowsAsync<ArgumentException>(() => LocalEcrServer.StartAsync(With(new LocalEcrAccount("2222", "AKIAB", "b"))));
        var noKey = await Assert.ThrowsAsync<ArgumentException>(() => LocalEcrServer.StartAsync(With(new LocalEcrAccount("222222222222", "", "b"))));
        var sameId = await Assert.ThrowsAsync<ArgumentException>(() => LocalEcrServer.StartAsync(With(new LocalEcrAccount("000000000000", "AKIAB", "b"))));
        var sameKey = await Assert.ThrowsAsync<ArgumentException>(() => LocalEcrServer.StartAsync(
            With(new LocalEcrAccount("222222222222", "AKIAB", "b"), new LocalEcrAccount("333333333333", "AKIAB", "c"))));

        Assert.StartsWith("AccessKey and SecretKey must not be empty.", emptySecret.Message, StringComparison.Ordinal);
        Assert.StartsWith("Every other account needs 12 digits and non-empty keys.", shortId.Message, StringComparison.Ordinal);
        Assert.StartsWith("Every other account needs 12 digits and non-empty keys.", noKey.Message, StringComparison.Ordinal);
        Assert.StartsWith("Each account and each access key may appear once.", sameId.Message, StringComparison.Ordinal);
        Assert.StartsWith("Each account and each access key may appear once.", sameKey.Message, StringComparison.Ordinal);
    }

    /// <summary>An account's text (a test's failure message prints it) names its id, key and partition, never its secret.</summary>
    [Fact]
    public void An_account_prints_without_its_secret()
    {
        var printed = new LocalEcrAccount("222222222222", "AKIAOTHER", "secret-of-222", "aws-cn").ToString();

        Assert.DoesNotContain("secret-of-222", printed, StringComparison.Ordinal);
        Assert.Contains("222222222222", printed, StringComparison.Ordinal);
        Assert.Contains("AKIAOTHER", printed, StringComparison.Ordinal);
        Assert.Contains("aws-cn", printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_partition_is_refused_with_the_account_and_the_value()
    {
        var other = new LocalEcrOptions();
        other.OtherAccounts.Add(new LocalEcrAccount("222222222222", "AKIAB", "b", "aws-china"));

        var ofDefault = await Assert.ThrowsAsync<ArgumentException>(() => LocalEcrServer.StartAsync(new LocalEcrOptions { Partition = "AWS" }));
        var ofOther = await Assert.ThrowsAsync<ArgumentException>(() => LocalEcrServer.StartAsync(other));

        Assert.Contains("Partition 'AWS' of account 000000000000", ofDefault.Message, StringComparison.Ordinal);
        Assert.Contains("Partition 'aws-china' of account 222222222222", ofOther.Message, StringComparison.Ordinal);
        Assert.Contains("aws, aws-cn, aws-eusc, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-us-gov", ofOther.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_wildcard_address_download_urls_use_the_host_the_client_reached()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { Host = "0.0.0.0" });
        var reached = new Uri($"http://127.0.0.1:{server.BaseAddress.Port}/");
        using var client = new EcrTestClient(server, endpoint: reached);
        await TestImages.CreateRepositoryAsync(client, "app");
        var digest = await TestImages.UploadBlobAsync(client, "app", TestImages.RandomBytes(10, 1));
        await TestImages.ReferenceLayerAsync(client, "app", digest, 10);
        var url = await TestImages.DownloadUrlAsync(client, "app", digest);
        Assert.StartsWith(reached + "_blobs/", url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenIdleAsync_waits_for_a_request_still_being_handled()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { TimeProvider = time });
        using var client = new EcrTestClient(server) { Clock = time };
        Assert.True(server.WhenIdleAsync().IsCompleted);

        server.Faults.DelayResponses("DescribeRepositories", TimeSpan.FromSeconds(30), count: 1);
        var pending = client.CallAsync("DescribeRepositories");
        await server.Faults.TimersArmedAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var idle = server.WhenIdleAsync();
        Assert.False(idle.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(30));
        (await pending.WaitAsync(TimeSpan.FromSeconds(30))).EnsureOk();
        await idle.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_connection_watch_completes_once_the_clients_connections_are_finished()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var connections = server.WatchConnections();
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        var client = socket.LocalEndPoint!;
        var finished = connections.WhenFinishedAsync([client]);

        // A request sent and the connection closed right behind it: open, the connection is not finished; closed, it is
        // once LocalEcr has read the close (after the request, which it has run by then).
        await socket.SendAsync("GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
        Assert.False(finished.IsCompleted);
        socket.Close();

        await finished.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(connections.WhenFinishedAsync([client]).IsCompleted);
    }

    // Tests dispose the server at the end; a request still held by a fault (here an answer delayed on a fake clock no
    // one advances) must not hold the dispose for Kestrel's 30-second drain. The bound is far above the 2 s LocalEcr
    // gives the drain, so a loaded machine does not make the test flaky, and far below the 30 s it took before.
    [Fact]
    public async Task Disposing_with_a_held_request_in_flight_does_not_wait_for_the_request()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { TimeProvider = time });
        using var client = new EcrTestClient(server) { Clock = time };
        server.Faults.DelayResponses("DescribeRepositories", TimeSpan.FromMinutes(10), count: 1);
        var pending = client.CallAsync("DescribeRepositories");
        await server.Faults.TimersArmedAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await server.DisposeAsync();
        watch.Stop();

        try
        {
            await pending.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception)
        {
            // The held request was cut off: what it answers, if anything, is not the point here.
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"DisposeAsync took {watch.Elapsed}");
    }
}
