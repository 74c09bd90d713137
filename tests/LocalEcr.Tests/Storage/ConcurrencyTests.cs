using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Storage;

/// <summary>
/// Races real clients produce against LocalEcr's storage (src/LocalEcr/Storage, Api): uploads of one layer completing
/// at once, the same part sent twice, pushes of one tag at once, deletes racing pushes and downloads. Each race is either
/// forced by a hook that holds every party at the racy point until all are there (LocalEcrOptions.BeforeLayerCommit,
/// BeforeBlobRead), or run with many parties at once and checked with an assertion that holds for every interleaving:
/// no sleep, no timing. The hooks' waits are bounded only so a broken hook fails instead of hanging the run.
/// </summary>
public sealed class ConcurrencyTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Two uploads of one layer into one repository, both past their checks and hash before either commits: exactly one
    /// stores it, the other is LayerAlreadyExistsException ("The image layer already exists in the associated
    /// repository", the model's words; ECR documents no other answer to the later one), and neither leaves a file in
    /// DATA/uploads.
    /// </summary>
    [Fact]
    public async Task Two_uploads_of_one_layer_both_past_their_checks_commit_once_and_the_other_is_LayerAlreadyExists()
    {
        var rendezvous = new Rendezvous();
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { BeforeLayerCommit = rendezvous.ArriveAsync });
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var data = TestImages.RandomBytes(100_000, 201);
        var uploads = new[] { await UploadPartsAsync(client, "app", data), await UploadPartsAsync(client, "app", data) };
        rendezvous.Arm(2);

        var outcomes = await Task.WhenAll(uploads.Select(id => CompleteAsync(client, "app", id, data))).WaitAsync(Bound);

        Assert.Single(outcomes, o => o.Status == HttpStatusCode.OK);
        Assert.Single(outcomes, o => o.ErrorCode == "LayerAlreadyExistsException").AssertError("LayerAlreadyExistsException");
        Assert.Equal(data, await File.ReadAllBytesAsync(BlobPath(server, data)));
        Assert.Empty(Directory.GetFiles(Path.Combine(server.DataDirectory, "uploads")));
    }

    /// <summary>
    /// One layer completed at once into two repositories of one region and a repository of another region: blobs are
    /// content-addressed and shared on disk, and the regions commit under locks of their own, so two writers race for
    /// one blob path. All three uploads succeed (a layer exists per repository), the blob is stored whole once, and a
    /// reader that opens it while the writers race never sees other bytes than the layer's.
    /// </summary>
    [Fact]
    public async Task One_layer_completed_at_once_into_two_repositories_and_two_regions_is_stored_once_and_whole()
    {
        var rendezvous = new Rendezvous();
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { BeforeLayerCommit = rendezvous.ArriveAsync });
        using var east = new EcrTestClient(server);
        using var west = east.WithRegion("eu-west-1");
        await TestImages.CreateRepositoryAsync(east, "app");
        await TestImages.CreateRepositoryAsync(east, "other");
        await TestImages.CreateRepositoryAsync(west, "app");
        var data = TestImages.RandomBytes(3 * 1024 * 1024, 202);
        (EcrTestClient Client, string Repository)[] targets = [(east, "app"), (east, "other"), (west, "app")];
        var uploads = new List<string>();
        foreach (var (client, repository) in targets)
        {
            uploads.Add(await UploadPartsAsync(client, repository, data));
        }

        rendezvous.Arm(3);
        var completions = Task.WhenAll(targets.Select((t, i) => CompleteAsync(t.Client, t.Repository, uploads[i], data)));
        var path = BlobPath(server, data);
        while (!completions.IsCompleted)
        {
            if (TryReadAll(path) is { } bytes)
            {
                Assert.Equal(data, bytes);
            }

            await Task.Yield();
        }

        foreach (var outcome in await completions.WaitAsync(Bound))
        {
            outcome.EnsureOk();
        }

        Assert.Equal(data, await File.ReadAllBytesAsync(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
        Assert.Empty(Directory.GetFiles(Path.Combine(server.DataDirectory, "uploads")));
        foreach (var (client, repository) in targets)
        {
            var digest = TestImages.Digest(data);
            await TestImages.ReferenceLayerAsync(client, repository, digest, data.Length);
            var url = await TestImages.DownloadUrlAsync(client, repository, digest);
            using var response = await client.GetAsync(url);
            Assert.Equal(data, await response.Content.ReadAsByteArrayAsync());
        }
    }

    /// <summary>
    /// Parts claiming the same byte range of one upload, sent at once with different bytes (a client retrying a part whose
    /// answer it lost, two workers sharing an upload id): exactly one is taken, every other is InvalidLayerPartException
    /// naming the last byte received (the model: "the first byte specified is not consecutive to the last byte of a
    /// previous layer part upload"), and the layer is the taken part's bytes, never a mix.
    /// </summary>
    [Fact]
    public async Task Parts_of_one_range_sent_at_once_are_taken_once_and_the_others_are_InvalidLayerPart()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var parts = Enumerable.Range(0, 6).Select(i => TestImages.RandomBytes(200_000, 210 + i)).ToList();
        var uploadId = await TestImages.InitiateUploadAsync(client, "app");

        var outcomes = await Task.WhenAll(parts.Select(p => client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, p, 0, p.Length))));

        var taken = Assert.Single(Enumerable.Range(0, parts.Count), i => outcomes[i].Status == HttpStatusCode.OK);
        Assert.Equal(199_999, outcomes[taken].Json["lastByteReceived"]!.GetValue<long>());
        foreach (var refused in outcomes.Where((_, i) => i != taken))
        {
            refused.AssertError("InvalidLayerPartException");
            Assert.Equal(199_999, refused.Json["lastValidByteReceived"]!.GetValue<long>());
        }

        (await CompleteAsync(client, "app", uploadId, parts[taken])).EnsureOk();
        Assert.Equal(parts[taken], await File.ReadAllBytesAsync(BlobPath(server, parts[taken])));
    }

    /// <summary>
    /// CompleteLayerUpload of one upload id sent twice at once (a client retrying a completion whose answer it lost):
    /// the layer is committed once, and the other is UploadNotFoundException, the model's answer for an upload id no
    /// longer valid, never a second commit or a ServerException.
    /// </summary>
    [Fact]
    public async Task A_completion_sent_twice_at_once_commits_once_and_the_other_is_UploadNotFound()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        for (var round = 0; round < 4; round++)
        {
            var data = TestImages.RandomBytes(50_000, 220 + round);
            var uploadId = await UploadPartsAsync(client, "app", data);

            var outcomes = await Task.WhenAll(CompleteAsync(client, "app", uploadId, data), CompleteAsync(client, "app", uploadId, data));

            Assert.Single(outcomes, o => o.Status == HttpStatusCode.OK);
            Assert.Single(outcomes, o => o.Status != HttpStatusCode.OK).AssertError("UploadNotFoundException");
            Assert.Equal(data, await File.ReadAllBytesAsync(BlobPath(server, data)));
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(server.DataDirectory, "uploads")));
    }

    /// <summary>
    /// PutImage of one tag with different manifests at once, in a mutable repository: every push lands, the tag ends on
    /// exactly one of them (the one BatchGetImage answers for it), and every image is stored with its exact bytes, the
    /// others untagged: no image keeps the tag it lost, none is half stored.
    /// </summary>
    [Fact]
    public async Task Pushes_of_one_tag_at_once_leave_it_on_exactly_one_image_and_every_image_whole()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var manifests = await ManifestsAsync(client, "app", 6, 230);

        var outcomes = await Task.WhenAll(manifests.Select(m => client.CallAsync("PutImage", Push("app", m, "v1"))));

        Assert.All(outcomes, o => o.EnsureOk());
        var images = await DescribeAsync(client, "app");
        Assert.Equal(manifests.Select(TestImages.Digest).Order(StringComparer.Ordinal), images.Keys.Order(StringComparer.Ordinal));
        var holder = Assert.Single(images, i => i.Value.Contains("v1")).Key;
        Assert.All(images.Where(i => i.Key != holder), i => Assert.Empty(i.Value));
        Assert.Equal(manifests.Single(m => TestImages.Digest(m) == holder), await ManifestOfAsync(client, "app", TestImages.ImageId(tag: "v1")));
        foreach (var manifest in manifests)
        {
            Assert.Equal(manifest, await ManifestOfAsync(client, "app", TestImages.ImageId(TestImages.Digest(manifest))));
        }
    }

    /// <summary>
    /// The same pushes into an IMMUTABLE repository: exactly one lands, every other is ImageTagAlreadyExistsException
    /// (the model: "The repository is configured for tag immutability"), and only the one that landed is stored.
    /// </summary>
    [Fact]
    public async Task Pushes_of_one_immutable_tag_at_once_land_exactly_once_and_the_others_store_nothing()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app", "IMMUTABLE");
        var manifests = await ManifestsAsync(client, "app", 6, 240);

        var outcomes = await Task.WhenAll(manifests.Select(m => client.CallAsync("PutImage", Push("app", m, "v1"))));

        var landed = Assert.Single(Enumerable.Range(0, manifests.Count), i => outcomes[i].Status == HttpStatusCode.OK);
        Assert.All(outcomes.Where((_, i) => i != landed), o => o.AssertError("ImageTagAlreadyExistsException"));
        var images = await DescribeAsync(client, "app");
        var only = Assert.Single(images);
        Assert.Equal(TestImages.Digest(manifests[landed]), only.Key);
        Assert.Equal(["v1"], only.Value);
        Assert.Equal(manifests[landed], await ManifestOfAsync(client, "app", TestImages.ImageId(tag: "v1")));
    }

    /// <summary>
    /// One push sent several times at once (concurrent replications of one image): it lands once, and every other is
    /// ImageAlreadyExistsException (the model: "no changes to the manifest or image tag after the last push").
    /// </summary>
    [Fact]
    public async Task The_same_push_sent_at_once_lands_once_and_the_others_are_ImageAlreadyExists()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var manifest = (await ManifestsAsync(client, "app", 1, 250))[0];

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.CallAsync("PutImage", Push("app", manifest, "v1"))));

        Assert.Single(outcomes, o => o.Status == HttpStatusCode.OK);
        Assert.All(outcomes.Where(o => o.Status != HttpStatusCode.OK), o => o.AssertError("ImageAlreadyExistsException"));
        Assert.Equal(["v1"], Assert.Single(await DescribeAsync(client, "app")).Value);
    }

    /// <summary>
    /// BatchDeleteImage of a tag racing a PutImage that moves the tag to another manifest ends as one of the two orders,
    /// whichever ran first, and the delete's answer says which: the tag's old image deleted and the new one tagged, or the
    /// new one deleted with the tag and the old one left untagged. Several rounds, each in a repository of its own.
    /// </summary>
    [Fact]
    public async Task A_delete_of_a_tag_racing_a_push_of_it_ends_as_one_order_or_the_other()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        for (var round = 0; round < 6; round++)
        {
            var repository = $"race-{round}";
            await TestImages.CreateRepositoryAsync(client, repository);
            var manifests = await ManifestsAsync(client, repository, 2, 260 + (round * 2));
            var (old, pushed) = (TestImages.Digest(manifests[0]), TestImages.Digest(manifests[1]));
            (await client.CallAsync("PutImage", Push(repository, manifests[0], "v1"))).EnsureOk();

            var put = client.CallAsync("PutImage", Push(repository, manifests[1], "v1"));
            var delete = client.CallAsync("BatchDeleteImage", new JsonObject { ["repositoryName"] = repository, ["imageIds"] = new JsonArray(TestImages.ImageId(tag: "v1")) });
            await Task.WhenAll(put, delete);

            (await put).EnsureOk();
            var answer = (await delete).EnsureOk().Json;
            Assert.Empty(answer["failures"]!.AsArray());
            var deleted = Assert.Single(answer["imageIds"]!.AsArray())!;
            Assert.Equal("v1", deleted["imageTag"]!.GetValue<string>());
            var images = await DescribeAsync(client, repository);
            if (deleted["imageDigest"]!.GetValue<string>() == old)
            {
                // The delete ran first: the old image went with its only tag, then the push tagged the new one.
                Assert.Equal([pushed], images.Keys);
                Assert.Equal(["v1"], images[pushed]);
            }
            else
            {
                // The push ran first: the tag moved to the new image, whose only tag the delete then removed with it.
                Assert.Equal(pushed, deleted["imageDigest"]!.GetValue<string>());
                Assert.Equal([old], images.Keys);
                Assert.Empty(images[old]);
            }
        }
    }

    /// <summary>
    /// An image deleted while a download of its layer, through a URL issued before, is under way: the download is
    /// served whole (LocalEcr keeps blobs on disk; a URL is a bearer grant to the bytes until it expires, as an S3
    /// presigned URL is), and a new URL for the layer is refused once no image references it.
    /// </summary>
    [Fact]
    public async Task An_image_deleted_while_its_layer_downloads_leaves_the_download_whole()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hold = false;
        var options = new LocalEcrOptions
        {
            BeforeBlobRead = async () =>
            {
                if (Volatile.Read(ref hold))
                {
                    held.TrySetResult();
                    await release.Task;
                }
            },
        };
        await using var server = await LocalEcrServer.StartAsync(options);
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var data = TestImages.RandomBytes(500_000, 270);
        var digest = await TestImages.UploadBlobAsync(client, "app", data);
        await TestImages.ReferenceLayerAsync(client, "app", digest, data.Length);
        var url = await TestImages.DownloadUrlAsync(client, "app", digest);
        Volatile.Write(ref hold, true);

        var download = client.GetAsync(url);
        await held.Task.WaitAsync(Bound);
        var image = Assert.Single(await DescribeAsync(client, "app")).Key;
        (await client.CallAsync("BatchDeleteImage", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(image)) })).EnsureOk();
        release.SetResult();
        using var response = await download.WaitAsync(Bound);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(data, await response.Content.ReadAsByteArrayAsync());
        (await client.CallAsync("GetDownloadUrlForLayer", new JsonObject { ["repositoryName"] = "app", ["layerDigest"] = digest })).AssertError("LayerInaccessibleException");
    }

    /// <summary>
    /// A blob removed from the data directory after a download found it (an operator cleaning a kept data directory; LocalEcr
    /// itself never deletes a blob) is served whole from the file the download holds open, never answered with a 500;
    /// the next download of the URL is S3's 403 for a key that is gone.
    /// </summary>
    [Fact]
    public async Task A_blob_deleted_once_its_download_has_found_it_is_served_whole_and_then_refused()
    {
        string? remove = null;
        var options = new LocalEcrOptions
        {
            BeforeBlobRead = () =>
            {
                if (Interlocked.Exchange(ref remove, null) is { } path)
                {
                    File.Delete(path);
                }

                return Task.CompletedTask;
            },
        };
        await using var server = await LocalEcrServer.StartAsync(options);
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var data = TestImages.RandomBytes(300_000, 280);
        var digest = await TestImages.UploadBlobAsync(client, "app", data);
        await TestImages.ReferenceLayerAsync(client, "app", digest, data.Length);
        var url = await TestImages.DownloadUrlAsync(client, "app", digest);
        Volatile.Write(ref remove, BlobPath(server, data));

        using var served = await client.GetAsync(url);
        using var after = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(data, await served.Content.ReadAsByteArrayAsync());
        Assert.False(File.Exists(BlobPath(server, data)));
        Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
        Assert.Contains("<Code>AccessDenied</Code><Message>Access Denied</Message>", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string BlobPath(LocalEcrServer server, byte[] data) =>
        Path.Combine(server.DataDirectory, "blobs", "sha256", TestImages.Digest(data)[7..]);

    private static byte[]? TryReadAll(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Initiates an upload and sends <paramref name="data"/> as one part; returns the upload id.</summary>
    private static async Task<string> UploadPartsAsync(EcrTestClient client, string repository, byte[] data)
    {
        var uploadId = await TestImages.InitiateUploadAsync(client, repository);
        (await client.CallAsync("UploadLayerPart", TestImages.Part(repository, uploadId, data, 0, data.Length))).EnsureOk();
        return uploadId;
    }

    private static Task<EcrResponse> CompleteAsync(EcrTestClient client, string repository, string uploadId, byte[] data) =>
        client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = repository, ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(TestImages.Digest(data)),
        });

    /// <summary><paramref name="count"/> different manifests whose config and layer the repository holds.</summary>
    private static async Task<List<string>> ManifestsAsync(EcrTestClient client, string repository, int count, int seed)
    {
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":{seed}}}");
        var configDigest = await TestImages.UploadBlobAsync(client, repository, config);
        var manifests = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var layer = TestImages.RandomBytes(1000 + i, seed + i);
            var layerDigest = await TestImages.UploadBlobAsync(client, repository, layer);
            manifests.Add(TestImages.ImageManifest(configDigest, config.Length, (layerDigest, layer.Length, TestImages.DockerLayer)));
        }

        return manifests;
    }

    private static JsonObject Push(string repository, string manifest, string tag) =>
        new() { ["repositoryName"] = repository, ["imageManifest"] = manifest, ["imageTag"] = tag };

    /// <summary>Every image of the repository (any tag status) by digest, with its tags.</summary>
    private static async Task<Dictionary<string, List<string>>> DescribeAsync(EcrTestClient client, string repository)
    {
        var json = (await client.CallAsync("DescribeImages", new JsonObject
        {
            ["repositoryName"] = repository, ["filter"] = new JsonObject { ["tagStatus"] = "ANY" },
        })).EnsureOk().Json;
        return json["imageDetails"]!.AsArray().ToDictionary(
            d => d!["imageDigest"]!.GetValue<string>(),
            d => d!["imageTags"]?.AsArray().Select(t => t!.GetValue<string>()).ToList() ?? []);
    }

    private static async Task<string> ManifestOfAsync(EcrTestClient client, string repository, JsonObject imageId)
    {
        var json = (await client.CallAsync("BatchGetImage", new JsonObject { ["repositoryName"] = repository, ["imageIds"] = new JsonArray(imageId) })).EnsureOk().Json;
        return json["images"]![0]!["imageManifest"]!.GetValue<string>();
    }

    /// <summary>
    /// Holds every party at a hook until the armed number has arrived, then lets all go at once; before it is armed
    /// (setting a test up) the hook does not hold.
    /// </summary>
    private sealed class Rendezvous
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _parties;
        private int _arrived;

        public void Arm(int parties) => Volatile.Write(ref _parties, parties);

        public async Task ArriveAsync()
        {
            var parties = Volatile.Read(ref _parties);
            if (parties == 0)
            {
                return;
            }

            if (Interlocked.Increment(ref _arrived) >= parties)
            {
                _all.TrySetResult();
            }

            await _all.Task.WaitAsync(Bound);
        }
    }
}
