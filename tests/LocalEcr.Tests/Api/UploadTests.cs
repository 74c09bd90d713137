using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Api;

public sealed class UploadTests
{
    private const int MiB = 1024 * 1024;

    private static async Task<(LocalEcrServer Server, EcrTestClient Client, string UploadId)> StartUploadAsync()
    {
        var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var initiated = (await client.CallAsync("InitiateLayerUpload", new JsonObject { ["repositoryName"] = "app" })).EnsureOk().Json;
        Assert.Equal(10_485_760, initiated["partSize"]!.GetValue<long>());
        return (server, client, initiated["uploadId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Parts_upload_in_order_and_complete_to_an_available_layer()
    {
        var (server, client, uploadId) = await StartUploadAsync();
        await using var _ = server;
        using var __ = client;
        var data = TestImages.RandomBytes((11 * MiB) + 123, 1);
        var first = (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, 6 * MiB))).EnsureOk().Json;
        Assert.Equal((6 * MiB) - 1, first["lastByteReceived"]!.GetValue<long>());
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 6 * MiB, data.Length - (6 * MiB)))).EnsureOk();
        var digest = TestImages.Digest(data);
        var completed = (await client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(digest),
        })).EnsureOk().Json;
        Assert.Equal(digest, completed["layerDigest"]!.GetValue<string>());

        var check = (await client.CallAsync("BatchCheckLayerAvailability", new JsonObject
        {
            ["repositoryName"] = "app", ["layerDigests"] = new JsonArray(digest, "sha256:" + new string('0', 64), "not-a-digest"),
        })).EnsureOk().Json;
        Assert.Equal("AVAILABLE", check["layers"]![0]!["layerAvailability"]!.GetValue<string>());
        Assert.Equal(data.Length, check["layers"]![0]!["layerSize"]!.GetValue<long>());
        Assert.Equal("MissingLayerDigest", check["failures"]![0]!["failureCode"]!.GetValue<string>());
        Assert.Equal("InvalidLayerDigest", check["failures"]![1]!["failureCode"]!.GetValue<string>());
    }

    /// <summary>
    /// A body sent without a Content-Length (chunked transfer coding, RFC 9112 section 7.1) is read whole, however long
    /// it runs: LocalEcr starts from a small buffer when no length is declared and grows it as the body arrives, and a
    /// part of 5 MiB sent so stores the same bytes, and completes to the same digest, as one with a length.
    /// </summary>
    [Fact]
    public async Task A_part_sent_without_a_content_length_is_stored_whole()
    {
        var (server, client, uploadId) = await StartUploadAsync();
        await using var _ = server;
        using var __ = client;
        var data = TestImages.RandomBytes((5 * MiB) + 17, 4);
        var body = Encoding.UTF8.GetBytes(TestImages.Part("app", uploadId, data, 0, data.Length).ToJsonString());

        var sent = (await client.SendRawAsync("AmazonEC2ContainerRegistry_V20150921.UploadLayerPart", body, request =>
        {
            var chunked = new StreamContent(new UnseekableStream(body));
            chunked.Headers.ContentType = request.Content!.Headers.ContentType;
            request.Content = chunked;
        })).EnsureOk().Json;
        var digest = TestImages.Digest(data);
        var completed = (await client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(digest),
        })).EnsureOk().Json;

        Assert.Equal(data.Length - 1, sent["lastByteReceived"]!.GetValue<long>());
        Assert.Equal(digest, completed["layerDigest"]!.GetValue<string>());
    }

    /// <summary>A stream whose length HttpClient cannot know, so the request goes chunked, without a Content-Length.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public async Task A_part_decodes_the_same_with_and_without_json_escapes_and_bad_base64_is_refused()
    {
        var (server, client, uploadId) = await StartUploadAsync();
        await using var _ = server;
        using var __ = client;
        var data = TestImages.RandomBytes(12 * MiB, 9);
        var half = 6 * MiB;

        // The raw fast path (no escapes, as AWS SDKs and the relaxed encoder write '+') and the unescaping path
        // (a default System.Text.Json encoder writes '+' as \u002B) must store the same bytes.
        var raw = Encoding.UTF8.GetBytes(
            $"{{\"repositoryName\":\"app\",\"uploadId\":\"{uploadId}\",\"partFirstByte\":0,\"partLastByte\":{half - 1},\"layerPartBlob\":\"{Convert.ToBase64String(data, 0, half)}\"}}");
        Assert.Contains((byte)'+', raw);
        (await client.SendRawAsync("AmazonEC2ContainerRegistry_V20150921.UploadLayerPart", raw)).EnsureOk();
        var escaped = TestImages.Part("app", uploadId, data, half, half).ToJsonString();
        Assert.Contains("\\u002B", escaped, StringComparison.Ordinal);
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, half, half))).EnsureOk();

        var notBase64 = TestImages.Part("app", uploadId, data, 0, 1);
        notBase64["partFirstByte"] = data.Length;
        notBase64["partLastByte"] = data.Length;
        notBase64["layerPartBlob"] = "not base64!";
        (await client.CallAsync("UploadLayerPart", notBase64)).AssertError("SerializationException");
        (await client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(TestImages.Digest(data)),
        })).EnsureOk();
    }

    [Fact]
    public async Task A_gap_or_overlap_is_InvalidLayerPart_with_lastValidByteReceived()
    {
        var (server, client, uploadId) = await StartUploadAsync();
        await using var _ = server;
        using var __ = client;
        var data = TestImages.RandomBytes(3000, 2);
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, 1000))).EnsureOk();

        var gap = await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 1500, 500));
        gap.AssertError("InvalidLayerPartException");
        Assert.Equal(999, gap.Json["lastValidByteReceived"]!.GetValue<long>());
        Assert.Equal(uploadId, gap.Json["uploadId"]!.GetValue<string>());
        Assert.Equal("app", gap.Json["repositoryName"]!.GetValue<string>());
        Assert.Equal("000000000000", gap.Json["registryId"]!.GetValue<string>());

        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 500, 1000))).AssertError("InvalidLayerPartException");

        var wrongLast = TestImages.Part("app", uploadId, data, 1000, 1000);
        wrongLast["partLastByte"] = 2500;
        (await client.CallAsync("UploadLayerPart", wrongLast)).AssertError("InvalidLayerPartException");

        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 1000, 1000))).EnsureOk();
    }

    [Fact]
    public async Task Refused_multi_block_parts_leave_no_trace_and_the_upload_resumes_to_the_right_digest()
    {
        // Parts of several MiB cross many of the transport's 128 KiB receive blocks; whatever is refused (a body
        // changed after signing, deep inside; a part at the wrong offset) must leave the stored bytes and the
        // running layer hash as they were, so the resumed upload completes to the true digest.
        var (server, client, uploadId) = await StartUploadAsync();
        await using var _ = server;
        using var __ = client;
        var data = TestImages.RandomBytes(12 * MiB, 11);
        var half = 6 * MiB;
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, half))).EnsureOk();

        var signed = Encoding.UTF8.GetBytes(TestImages.Part("app", uploadId, data, half, half).ToJsonString());
        var changed = (byte[])signed.Clone();
        var deep = 5 * MiB;
        changed[deep] = changed[deep] == (byte)'A' ? (byte)'B' : (byte)'A';
        var tampered = await client.SendRawAsync("AmazonEC2ContainerRegistry_V20150921.UploadLayerPart", signed, request =>
        {
            request.Content = new ByteArrayContent(changed);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(EcrTestClient.AwsJson11);
        });
        tampered.AssertError("InvalidSignatureException", HttpStatusCode.BadRequest);

        var shifted = TestImages.Part("app", uploadId, data, half + 1, half - 1);
        var wrongOffset = await client.CallAsync("UploadLayerPart", shifted);
        wrongOffset.AssertError("InvalidLayerPartException");
        Assert.Equal(half - 1, wrongOffset.Json["lastValidByteReceived"]!.GetValue<long>());

        var corrupted = TestImages.Part("app", uploadId, data, half, half);
        corrupted["layerPartBlob"] = "*" + corrupted["layerPartBlob"]!.GetValue<string>()[1..];
        (await client.CallAsync("UploadLayerPart", corrupted)).AssertError("SerializationException");

        var resumed = (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, half, half))).EnsureOk().Json;
        Assert.Equal(data.Length - 1, resumed["lastByteReceived"]!.GetValue<long>());
        var completed = (await client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(TestImages.Digest(data)),
        })).EnsureOk().Json;
        Assert.Equal(TestImages.Digest(data), completed["layerDigest"]!.GetValue<string>());
    }

    [Fact]
    public async Task Small_parts_other_than_the_last_are_LayerPartTooSmall()
    {
        var (server, client, uploadId) = await StartUploadAsync();
        await using var _ = server;
        using var __ = client;
        var data = TestImages.RandomBytes(2000, 3);
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, 1000))).EnsureOk();
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 1000, 1000))).EnsureOk();
        (await client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(TestImages.Digest(data)),
        })).AssertError("LayerPartTooSmallException");
    }

    [Fact]
    public async Task Completing_without_parts_is_EmptyUpload()
    {
        var (server, client, uploadId) = await StartUploadAsync();
        await using var _ = server;
        using var __ = client;
        (await client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray("sha256:" + new string('a', 64)),
        })).AssertError("EmptyUploadException");
    }

    [Fact]
    public async Task A_wrong_digest_is_InvalidLayer()
    {
        var (server, client, uploadId) = await StartUploadAsync();
        await using var _ = server;
        using var __ = client;
        var data = TestImages.RandomBytes(100, 4);
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, 100))).EnsureOk();
        (await client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray("sha256:" + new string('b', 64)),
        })).AssertError("InvalidLayerException");
    }

    /// <summary>
    /// Every digest in layerDigests (the model's LayerDigestList, 1..100) must be the layer's, spelled as ECR computes
    /// it: lower-case hex. The model's LayerDigest pattern admits A-F; LocalEcr takes the stricter reading.
    /// </summary>
    [Theory]
    [InlineData("upper case", false)]
    [InlineData("good, bogus", false)]
    [InlineData("bogus, good", false)]
    [InlineData("good, good", true)]
    public async Task Every_layer_digest_must_be_the_layers_own_in_lower_case(string digests, bool accepted)
    {
        var (server, client, uploadId) = await StartUploadAsync();
        await using var _ = server;
        using var __ = client;
        var data = TestImages.RandomBytes(100, 41);
        var good = TestImages.Digest(data);
        const string Bogus = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        var list = digests switch
        {
            "upper case" => new JsonArray("sha256:" + good["sha256:".Length..].ToUpperInvariant()),
            "good, bogus" => new JsonArray(good, Bogus),
            "bogus, good" => new JsonArray(Bogus, good),
            _ => new JsonArray(good, good),
        };
        Assert.Matches("[a-f]", good["sha256:".Length..]);
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, 100))).EnsureOk();

        var completed = await client.CallAsync("CompleteLayerUpload", new JsonObject { ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = list });

        if (accepted)
        {
            Assert.Equal(good, completed.EnsureOk().Json["layerDigest"]!.GetValue<string>());
        }
        else
        {
            completed.AssertError("InvalidLayerException");
            var check = (await client.CallAsync("BatchCheckLayerAvailability", new JsonObject { ["repositoryName"] = "app", ["layerDigests"] = new JsonArray(good) })).EnsureOk().Json;
            Assert.Equal("MissingLayerDigest", check["failures"]![0]!["failureCode"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Uploading_a_present_layer_again_is_LayerAlreadyExists()
    {
        var (server, client, _) = await StartUploadAsync();
        await using var s = server;
        using var c = client;
        var data = TestImages.RandomBytes(100, 5);
        await TestImages.UploadBlobAsync(client, "app", data);
        var uploadId = await TestImages.InitiateUploadAsync(client, "app");
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, 100))).EnsureOk();
        (await client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(TestImages.Digest(data)),
        })).AssertError("LayerAlreadyExistsException");
    }

    [Fact]
    public async Task Unknown_or_forgotten_uploads_are_UploadNotFound()
    {
        var (server, client, uploadId) = await StartUploadAsync();
        await using var _ = server;
        using var __ = client;
        var data = TestImages.RandomBytes(100, 6);
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", "00000000-0000-4000-8000-000000000000", data, 0, 100))).AssertError("UploadNotFoundException");
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, 50))).EnsureOk();

        server.Faults.ForgetUploads();

        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 50, 50))).AssertError("UploadNotFoundException");
        (await client.CallAsync("InitiateLayerUpload", new JsonObject { ["repositoryName"] = "missing" })).AssertError("RepositoryNotFoundException");
    }

    // CompleteLayerUpload checks that the upload is open, then hashes and checks the parts outside the registry's lock:
    // a forced DeleteRepository (which ends the repository's uploads) and a CreateRepository of the same name in that
    // window must not commit the old upload's layer into the new repository.
    [Fact]
    public async Task A_completion_whose_repository_is_deleted_and_recreated_meanwhile_is_UploadNotFound_and_commits_nothing()
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new LocalEcrOptions
        {
            BeforeLayerCommit = async () =>
            {
                reached.TrySetResult();
                await resume.Task;
            },
        };
        await using var server = await LocalEcrServer.StartAsync(options);
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var data = TestImages.RandomBytes(2000, 9);
        var uploadId = await TestImages.InitiateUploadAsync(client, "app");
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, data.Length))).EnsureOk();
        var complete = client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(TestImages.Digest(data)),
        });
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));

        (await client.CallAsync("DeleteRepository", new JsonObject { ["repositoryName"] = "app", ["force"] = true })).EnsureOk();
        await TestImages.CreateRepositoryAsync(client, "app");
        resume.SetResult();

        (await complete.WaitAsync(TimeSpan.FromSeconds(30))).AssertError("UploadNotFoundException");
        var check = (await client.CallAsync("BatchCheckLayerAvailability", new JsonObject
        {
            ["repositoryName"] = "app", ["layerDigests"] = new JsonArray(TestImages.Digest(data)),
        })).EnsureOk().Json;
        Assert.Empty(check["layers"]!.AsArray());
    }

    // An upload's parts live in a temporary file under DATA/uploads until it completes. One that ends otherwise
    // (forgotten by the fault, its repository deleted, still open when the server stops) must not leave it behind.
    [Fact]
    public async Task Forgotten_deleted_and_still_open_uploads_leave_no_temp_file()
    {
        var dir = Directory.CreateTempSubdirectory("localecr-uploads-").FullName;
        var uploads = Path.Combine(dir, "uploads");
        try
        {
            var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { DataDirectory = dir });
            try
            {
                using var client = new EcrTestClient(server);
                await TestImages.CreateRepositoryAsync(client, "app");
                await TestImages.CreateRepositoryAsync(client, "other");
                var data = TestImages.RandomBytes(1000, 10);
                async Task<string> StartAsync(string repository)
                {
                    var id = (await client.CallAsync("InitiateLayerUpload", new JsonObject { ["repositoryName"] = repository })).EnsureOk().Json["uploadId"]!.GetValue<string>();
                    (await client.CallAsync("UploadLayerPart", TestImages.Part(repository, id, data, 0, data.Length))).EnsureOk();
                    return id;
                }

                var forgotten = await StartAsync("app");
                server.Faults.ForgetUploads();
                Assert.Empty(Directory.GetFiles(uploads));
                (await client.CallAsync("UploadLayerPart", TestImages.Part("app", forgotten, data, 0, data.Length))).AssertError("UploadNotFoundException");

                await StartAsync("app");
                (await client.CallAsync("DeleteRepository", new JsonObject { ["repositoryName"] = "app", ["force"] = true })).EnsureOk();
                Assert.Empty(Directory.GetFiles(uploads));

                await StartAsync("other");
                Assert.Single(Directory.GetFiles(uploads));
            }
            finally
            {
                await server.DisposeAsync();
            }

            Assert.Empty(Directory.GetFiles(uploads));
            Assert.Empty(Directory.GetFiles(Path.Combine(dir, "spare-uploads")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // An upload whose bytes are not needed (its blob is already stored) leaves its file for the next upload to write
    // over (BlobStore.Recycle, for the page cache's sake). The next blob must still be exactly its own bytes: a reused
    // file longer than the layer is cut to it, and a part that spans the old tail overwrites it.
    [Fact]
    public async Task A_reused_upload_file_longer_than_the_next_layer_leaves_the_blob_exactly_its_bytes()
    {
        var dir = Directory.CreateTempSubdirectory("localecr-reuse-").FullName;
        try
        {
            var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { DataDirectory = dir });
            try
            {
                using var client = new EcrTestClient(server);
                await TestImages.CreateRepositoryAsync(client, "one");
                await TestImages.CreateRepositoryAsync(client, "two");
                var big = TestImages.RandomBytes(7 * 1024 * 1024, 31);
                await TestImages.UploadBlobAsync(client, "one", big);
                Assert.Empty(Directory.GetFiles(Path.Combine(dir, "spare-uploads")));

                // The same blob again, in another repository: stored once, so this upload's file is kept as a spare.
                await TestImages.UploadBlobAsync(client, "two", big);
                var spare = Assert.Single(Directory.GetFiles(Path.Combine(dir, "spare-uploads")));
                Assert.Equal(big.Length, new FileInfo(spare).Length);

                // A shorter layer in two parts (6 MiB, then the rest) written over the spare.
                var small = TestImages.RandomBytes((6 * 1024 * 1024) + 1000, 32);
                var digest = await TestImages.UploadBlobAsync(client, "two", small);
                Assert.Empty(Directory.GetFiles(Path.Combine(dir, "spare-uploads")));
                var blob = await File.ReadAllBytesAsync(Path.Combine(dir, "blobs", "sha256", digest[7..]));
                Assert.Equal(small.Length, blob.Length);
                Assert.Equal(digest, TestImages.Digest(blob));
            }
            finally
            {
                await server.DisposeAsync();
            }

            Assert.Empty(Directory.GetFiles(Path.Combine(dir, "uploads")));
            Assert.Empty(Directory.GetFiles(Path.Combine(dir, "spare-uploads")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // With spare uploads off (LocalEcrOptions.SpareUploads, `--spare-uploads off`: the bench's throughput section,
    // whose skopeo side writes into a registry emptied for each run) the file of an upload whose bytes are not needed
    // is deleted, as before spares existed, and the next upload writes into a new, empty file. The test above shows
    // that with spares on both uploads below would leave a spare, and the next upload would start from it.
    [Fact]
    public async Task With_spare_uploads_off_no_file_is_kept_and_the_next_upload_starts_from_an_empty_file()
    {
        var dir = Directory.CreateTempSubdirectory("localecr-nospare-").FullName;
        var uploads = Path.Combine(dir, "uploads");
        var spares = Path.Combine(dir, "spare-uploads");
        try
        {
            var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { DataDirectory = dir, SpareUploads = false });
            try
            {
                using var client = new EcrTestClient(server);
                await TestImages.CreateRepositoryAsync(client, "one");
                await TestImages.CreateRepositoryAsync(client, "two");
                await TestImages.CreateRepositoryAsync(client, "three");
                var big = TestImages.RandomBytes(7 * MiB, 33);
                await TestImages.UploadBlobAsync(client, "one", big);

                // The same blob again, in another repository: stored once, so this upload's file is not needed.
                await TestImages.UploadBlobAsync(client, "two", big);
                Assert.Empty(Directory.GetFiles(spares));
                Assert.Empty(Directory.GetFiles(uploads));

                // An upload that ends without completing (its repository deleted) leaves no spare either.
                var data = TestImages.RandomBytes(1000, 34);
                var ended = (await client.CallAsync("InitiateLayerUpload", new JsonObject { ["repositoryName"] = "three" })).EnsureOk().Json["uploadId"]!.GetValue<string>();
                (await client.CallAsync("UploadLayerPart", TestImages.Part("three", ended, data, 0, data.Length))).EnsureOk();
                (await client.CallAsync("DeleteRepository", new JsonObject { ["repositoryName"] = "three", ["force"] = true })).EnsureOk();
                Assert.Empty(Directory.GetFiles(spares));
                Assert.Empty(Directory.GetFiles(uploads));

                // The next upload's file is new and empty (a spare would hold an earlier upload's bytes), and the blob
                // is exactly the bytes of its two parts.
                var small = TestImages.RandomBytes((6 * MiB) + 1000, 35);
                var uploadId = (await client.CallAsync("InitiateLayerUpload", new JsonObject { ["repositoryName"] = "two" })).EnsureOk().Json["uploadId"]!.GetValue<string>();
                Assert.Equal(0, new FileInfo(Assert.Single(Directory.GetFiles(uploads))).Length);
                (await client.CallAsync("UploadLayerPart", TestImages.Part("two", uploadId, small, 0, 6 * MiB))).EnsureOk();
                (await client.CallAsync("UploadLayerPart", TestImages.Part("two", uploadId, small, 6 * MiB, 1000))).EnsureOk();
                var digest = TestImages.Digest(small);
                (await client.CallAsync("CompleteLayerUpload", new JsonObject
                {
                    ["repositoryName"] = "two", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(digest),
                })).EnsureOk();
                var blob = await File.ReadAllBytesAsync(Path.Combine(dir, "blobs", "sha256", digest[7..]));
                Assert.Equal(small.Length, blob.Length);
                Assert.Equal(digest, TestImages.Digest(blob));
                Assert.Empty(Directory.GetFiles(spares));
            }
            finally
            {
                await server.DisposeAsync();
            }

            Assert.Empty(Directory.GetFiles(uploads));
            Assert.Empty(Directory.GetFiles(spares));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // Ending an upload while one of its parts is being written (UploadLayerPart holds the session's gate while it
    // appends and hashes) must neither pull the file from under the part nor dispose the hash it is updating: the
    // file goes when the part lets go of the gate.
    [Fact]
    public async Task An_upload_ended_while_a_part_is_being_written_keeps_its_file_until_the_part_is_done()
    {
        var dir = Directory.CreateTempSubdirectory("localecr-session-").FullName;
        try
        {
            var path = Path.Combine(dir, "upload");
            File.Create(path).Dispose();
            var session = new LocalEcr.Storage.UploadSession { UploadId = "u", RepositoryName = "app", TempPath = path };
            await session.Gate.WaitAsync();

            session.Close();

            Assert.True(session.Closed);
            Assert.True(File.Exists(path));
            await session.AppendAsync(new byte[] { 1, 2, 3 }, CancellationToken.None);
            Assert.Equal(TestImages.Digest(new byte[] { 1, 2, 3 }), session.CurrentDigest());
            Assert.Equal(3, new FileInfo(path).Length);

            session.ReleaseGate();

            Assert.False(File.Exists(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_part_whose_bytes_disagree_with_its_range_is_refused()
    {
        var (server, client, uploadId) = await StartUploadAsync();
        await using var _ = server;
        using var __ = client;
        var data = TestImages.RandomBytes(100, 7);
        var part = TestImages.Part("app", uploadId, data, 0, data.Length);
        part["partLastByte"] = 200;
        (await client.CallAsync("UploadLayerPart", part)).AssertError("InvalidLayerPartException");
    }

    [Fact]
    public async Task Layers_are_per_repository()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "one");
        await TestImages.CreateRepositoryAsync(client, "two");
        var digest = await TestImages.UploadBlobAsync(client, "one", TestImages.RandomBytes(10, 8));
        var check = (await client.CallAsync("BatchCheckLayerAvailability", new JsonObject { ["repositoryName"] = "two", ["layerDigests"] = new JsonArray(digest) })).EnsureOk().Json;
        Assert.Empty(check["layers"]!.AsArray());
        Assert.Equal("MissingLayerDigest", check["failures"]![0]!["failureCode"]!.GetValue<string>());
    }

    /// <summary>
    /// ECR's quota: every part but the last is at least 5 MiB, 5,242,880 bytes ("Layer part minimum size",
    /// https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html; the model's
    /// LayerPartTooSmallException: "Layer parts must be at least 5 MiB in size"). The bound is exact: a first part one
    /// byte short of it is refused at completion, one of exactly 5 MiB is taken.
    /// </summary>
    [Theory]
    [InlineData(0, true)]
    [InlineData(-1, false)]
    public async Task A_part_before_the_last_must_be_at_least_exactly_5_MiB(int fromFiveMiB, bool accepted)
    {
        var (server, client, uploadId) = await StartUploadAsync();
        await using var _ = server;
        using var __ = client;
        var first = (5 * MiB) + fromFiveMiB;
        var data = TestImages.RandomBytes(first + 10, 43);
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, first))).EnsureOk();
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, first, 10))).EnsureOk();

        var completed = await client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(TestImages.Digest(data)),
        });

        if (accepted)
        {
            Assert.Equal(TestImages.Digest(data), completed.EnsureOk().Json["layerDigest"]!.GetValue<string>());
        }
        else
        {
            completed.AssertError("LayerPartTooSmallException");
        }
    }

    /// <summary>
    /// The model's LayerPartBlob has min 0, but partLastByte is "the position of the last byte of the layer part", so a
    /// part of no bytes has no last byte: LocalEcr refuses it as a part whose size is not valid (the model's
    /// InvalidLayerPartException), the stricter reading, rather than recording an empty part. The upload goes on.
    /// </summary>
    [Fact]
    public async Task An_empty_part_after_the_first_is_InvalidLayerPart_and_the_upload_goes_on()
    {
        var (server, client, uploadId) = await StartUploadAsync();
        await using var _ = server;
        using var __ = client;
        var data = TestImages.RandomBytes(1000, 44);
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, 1000))).EnsureOk();

        var empty = TestImages.Part("app", uploadId, data, 1000, 0);
        Assert.Equal(999, empty["partLastByte"]!.GetValue<int>());
        Assert.Equal(string.Empty, empty["layerPartBlob"]!.GetValue<string>());
        var refused = await client.CallAsync("UploadLayerPart", empty);
        refused.AssertError("InvalidLayerPartException");
        Assert.Equal(999, refused.Json["lastValidByteReceived"]!.GetValue<long>());

        // Had the empty part been kept, the 1,000-byte part before it would no longer be the last one, and too small.
        (await client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(TestImages.Digest(data)),
        })).EnsureOk();
    }

    /// <summary>
    /// An upload belongs to the repository it was initiated in: the model's UploadNotFoundException is also "the specified
    /// upload ID is not valid for this repository". A part or a completion naming another repository is refused, and the
    /// layer lands in neither repository until the upload completes in its own.
    /// </summary>
    [Fact]
    public async Task An_upload_id_used_with_another_repository_is_UploadNotFound_and_commits_nothing_there()
    {
        var (server, client, uploadId) = await StartUploadAsync();
        await using var _ = server;
        using var __ = client;
        await TestImages.CreateRepositoryAsync(client, "other");
        var data = TestImages.RandomBytes(200, 45);
        var digest = TestImages.Digest(data);
        (await client.CallAsync("UploadLayerPart", TestImages.Part("other", uploadId, data, 0, 200))).AssertError("UploadNotFoundException");
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, 200))).EnsureOk();

        (await client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = "other", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(digest),
        })).AssertError("UploadNotFoundException");
        var check = (await client.CallAsync("BatchCheckLayerAvailability", new JsonObject { ["repositoryName"] = "other", ["layerDigests"] = new JsonArray(digest) })).EnsureOk().Json;
        Assert.Equal("MissingLayerDigest", check["failures"]![0]!["failureCode"]!.GetValue<string>());

        (await client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(digest),
        })).EnsureOk();
    }
}
