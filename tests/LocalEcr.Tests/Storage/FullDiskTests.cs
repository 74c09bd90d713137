using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using LocalEcr.Tests.Api;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Storage;

/// <summary>
/// A data directory that fills up under LocalEcr, through its in-process seam (Storage/DiskSpace: a write stores what
/// fits, then fails as write(2) does with ENOSPC). Every operation that writes bytes (UploadLayerPart, a managed
/// signature) answers ECR's ServerException (500), and nothing is left that a reader, a later call or a restart on the
/// same data directory could take for data: no blob whose bytes differ from its digest, no half-written file.
/// </summary>
public sealed class FullDiskTests
{
    private const string Failed = "LocalEcr could not read or write its data directory.";
    private const int FiveMiB = 5 * 1024 * 1024;

    /// <summary>
    /// A part the disk cuts short is refused and not counted: its first bytes, written before the disk filled, are not
    /// part of the upload (the next part must start where the refused one did), and the same part sent again once there
    /// is room stores the layer whole.
    /// </summary>
    [Fact]
    public async Task A_part_cut_short_by_a_full_disk_is_a_ServerException_and_the_same_part_again_stores_the_layer_whole()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        var data = TestImages.RandomBytes(FiveMiB + 1000, 71);
        var digest = TestImages.Digest(data);
        var uploadId = await TestImages.InitiateUploadAsync(client, "app");
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, FiveMiB))).EnsureOk();
        ecr.Server.DataDirectorySpace.Limit(300);

        var cut = await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, FiveMiB, 1000));
        var stillFull = await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, FiveMiB, 1000));
        ecr.Server.DataDirectorySpace.Limit(long.MaxValue);
        var afterTheCut = await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, FiveMiB + 300, 700));
        var again = await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, FiveMiB, 1000));
        var complete = await client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(digest),
        });

        cut.AssertError("ServerException", HttpStatusCode.InternalServerError);
        Assert.Equal(Failed, cut.Json["message"]!.GetValue<string>());
        stillFull.AssertError("ServerException", HttpStatusCode.InternalServerError);
        afterTheCut.AssertError("InvalidLayerPartException");
        Assert.Equal(FiveMiB - 1, afterTheCut.Json["lastValidByteReceived"]!.GetValue<long>());
        Assert.Equal(data.Length - 1, again.EnsureOk().Json["lastByteReceived"]!.GetValue<long>());
        Assert.Equal(digest, complete.EnsureOk().Json["layerDigest"]!.GetValue<string>());
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(ecr.Server.DataDirectory, "blobs", "sha256", digest[7..])));
    }

    /// <summary>
    /// Whatever byte of an upload the disk fills at (before the first, inside a 4 KiB page, at a part's end, inside the
    /// last part), the upload either completes with its exact bytes or fails with ServerException and stores nothing.
    /// Upload files are reused (spares), so a later layer is written over an earlier one's bytes: cut short, it must
    /// not be stored. After the server stops, its kept data directory holds no upload file and no blob whose bytes differ
    /// from its digest; a server started again on it stores and serves the layers whole.
    /// </summary>
    [Fact]
    public async Task Wherever_the_disk_fills_no_blob_differs_from_its_digest_and_a_restart_finds_nothing_half_written()
    {
        var dir = Directory.CreateTempSubdirectory("localecr-full-").FullName;
        try
        {
            long[] room = [0, 1, 4095, 4096, FiveMiB - 1, FiveMiB, FiveMiB + 1, FiveMiB + 999, FiveMiB + 1000];
            var layers = room.Select((_, i) => TestImages.RandomBytes(FiveMiB + 1000, 80 + i)).ToList();
            await using (var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { DataDirectory = dir }))
            {
                using var client = new EcrTestClient(server);
                await TestImages.CreateRepositoryAsync(client, "app");
                for (var i = 0; i < room.Length; i++)
                {
                    server.DataDirectorySpace.Limit(room[i]);
                    var stored = await TryUploadAsync(client, layers[i]);
                    server.DataDirectorySpace.Limit(long.MaxValue);

                    Assert.Equal(room[i] >= layers[i].Length, stored);
                    var check = (await client.CallAsync("BatchCheckLayerAvailability", new JsonObject
                    {
                        ["repositoryName"] = "app", ["layerDigests"] = new JsonArray(TestImages.Digest(layers[i])),
                    })).EnsureOk().Json;
                    Assert.Equal(stored ? 1 : 0, check["layers"]!.AsArray().Count);
                }

                AssertEveryBlobIsItsDigest(dir);
            }

            Assert.Empty(Directory.GetFiles(Path.Combine(dir, "uploads")));
            Assert.Empty(Directory.GetFiles(Path.Combine(dir, "spare-uploads")));
            AssertEveryBlobIsItsDigest(dir);

            await using (var restarted = await LocalEcrServer.StartAsync(new LocalEcrOptions { DataDirectory = dir }))
            {
                using var client = new EcrTestClient(restarted);
                await TestImages.CreateRepositoryAsync(client, "app");
                foreach (var layer in layers)
                {
                    var digest = await TestImages.UploadBlobAsync(client, "app", layer, FiveMiB);
                    await TestImages.ReferenceLayerAsync(client, "app", digest, layer.Length);
                    var url = await TestImages.DownloadUrlAsync(client, "app", digest);
                    using var response = await client.GetAsync(url);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    Assert.Equal(layer, await response.Content.ReadAsByteArrayAsync());
                }
            }

            AssertEveryBlobIsItsDigest(dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// A managed signature the full disk cuts short fails the call that settles it (ServerException) and stays due,
    /// leaving no half-written file in DATA/uploads (one per failed attempt, kept for ever in a kept data directory);
    /// once there is room the next call stores it, whole.
    /// </summary>
    [Fact]
    public async Task A_signature_the_full_disk_cuts_short_leaves_no_file_behind_and_is_stored_whole_once_there_is_room()
    {
        const string Profile = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/release";
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        await ManagedSigningTests.ConfigureAsync(client, (Profile, []));
        var (digest, _) = await TestImages.PushImageAsync(client, "app", "v1", 72);
        var status = new JsonObject { ["repositoryName"] = "app", ["imageId"] = TestImages.ImageId(digest) };
        ecr.Server.DataDirectorySpace.Limit(40);
        ecr.Time.Advance(TimeSpan.FromSeconds(3));

        var first = await client.CallAsync("DescribeImageSigningStatus", status.DeepClone().AsObject());
        var second = await client.CallAsync("DescribeImageSigningStatus", status.DeepClone().AsObject());
        var uploadsWhileFull = Directory.GetFiles(Path.Combine(ecr.Server.DataDirectory, "uploads"));
        ecr.Server.DataDirectorySpace.Limit(long.MaxValue);
        var stored = (await client.CallAsync("DescribeImageSigningStatus", status.DeepClone().AsObject())).EnsureOk().Json;

        first.AssertError("ServerException", HttpStatusCode.InternalServerError);
        second.AssertError("ServerException", HttpStatusCode.InternalServerError);
        Assert.Empty(uploadsWhileFull);
        Assert.Equal("COMPLETE", stored["signingStatuses"]![0]!["status"]!.GetValue<string>());
        Assert.Empty(Directory.GetFiles(Path.Combine(ecr.Server.DataDirectory, "uploads")));
        AssertEveryBlobIsItsDigest(ecr.Server.DataDirectory);
    }

    /// <summary>Initiates, uploads in parts of 5 MiB and completes; false when a call answered ServerException.</summary>
    private static async Task<bool> TryUploadAsync(EcrTestClient client, byte[] data)
    {
        var uploadId = await TestImages.InitiateUploadAsync(client, "app");
        for (var offset = 0; offset < data.Length; offset += FiveMiB)
        {
            var part = await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, offset, Math.Min(FiveMiB, data.Length - offset)));
            if (part.Status != HttpStatusCode.OK)
            {
                part.AssertError("ServerException", HttpStatusCode.InternalServerError);
                return false;
            }
        }

        (await client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(TestImages.Digest(data)),
        })).EnsureOk();
        return true;
    }

    private static void AssertEveryBlobIsItsDigest(string dataDirectory)
    {
        foreach (var blob in Directory.GetFiles(Path.Combine(dataDirectory, "blobs", "sha256")))
        {
            Assert.Equal(Path.GetFileName(blob), Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(blob))));
        }
    }
}
