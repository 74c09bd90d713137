using System.Net;
using System.Text.Json.Nodes;
using LocalEcr.Tests.Api;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Storage;

/// <summary>
/// The data directory failing under LocalEcr (src/LocalEcr/Storage): a file removed from it, a folder of it that can no
/// longer be written. Each is provoked as it can happen to a folder on disk, portably and whoever runs the tests (as root
/// a permission does not stop a write, so a folder is replaced by a file, which does): the answer is ECR's
/// ServerException (500) for what the server cannot do, and what it stores is never other bytes than the ones received.
/// </summary>
public sealed class DataDirectoryFailureTests
{
    private const string Failed = "LocalEcr could not read or write its data directory.";

    /// <summary>
    /// A spare upload file (kept for reuse, BlobStore.Recycle) that is gone when the next upload takes it is passed
    /// over: the upload starts from a new empty file and stores exactly its bytes.
    /// </summary>
    [Fact]
    public async Task A_spare_upload_file_gone_from_the_data_directory_is_passed_over_for_a_new_one()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        await TestImages.CreateRepositoryAsync(client, "other");
        var big = TestImages.RandomBytes(7 * 1024 * 1024, 51);
        await TestImages.UploadBlobAsync(client, "app", big);
        await TestImages.UploadBlobAsync(client, "other", big);
        File.Delete(Assert.Single(Directory.GetFiles(Spares(ecr))));

        var uploadId = await TestImages.InitiateUploadAsync(client, "app");
        Assert.Equal(0, new FileInfo(Assert.Single(Directory.GetFiles(Uploads(ecr)))).Length);
        var small = TestImages.RandomBytes(1000, 52);
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, small, 0, small.Length))).EnsureOk();
        var digest = TestImages.Digest(small);
        (await client.CallAsync("CompleteLayerUpload", new JsonObject { ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(digest) })).EnsureOk();

        Assert.Equal(small, await File.ReadAllBytesAsync(BlobPath(ecr, digest)));
    }

    /// <summary>
    /// An upload whose file cannot be created (DATA/uploads is no folder) is ServerException, and no upload is left
    /// behind; once the folder is back, uploads work.
    /// </summary>
    [Fact]
    public async Task An_upload_whose_file_cannot_be_created_is_a_ServerException()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        ReplaceWithFile(Uploads(ecr));

        var refused = await client.CallAsync("InitiateLayerUpload", new JsonObject { ["repositoryName"] = "app" });

        refused.AssertError("ServerException", HttpStatusCode.InternalServerError);
        Assert.Equal(Failed, refused.Json["message"]!.GetValue<string>());
        RestoreFolder(Uploads(ecr));
        var data = TestImages.RandomBytes(1000, 53);
        var digest = await TestImages.UploadBlobAsync(client, "app", data);
        Assert.Equal(data, await File.ReadAllBytesAsync(BlobPath(ecr, digest)));
    }

    /// <summary>
    /// An upload's file removed between two parts fails the next part (ServerException) instead of being made anew,
    /// which would hold zeros where the earlier parts were and be stored under the digest of the bytes received. Ending
    /// the upload then (its file already gone) raises nothing, and its id is gone.
    /// </summary>
    [Fact]
    public async Task An_upload_file_removed_between_parts_fails_the_next_part_and_stores_nothing()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        var data = TestImages.RandomBytes((6 * 1024 * 1024) + 1000, 54);
        var uploadId = await TestImages.InitiateUploadAsync(client, "app");
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, 6 * 1024 * 1024))).EnsureOk();
        File.Delete(Assert.Single(Directory.GetFiles(Uploads(ecr))));

        var second = await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 6 * 1024 * 1024, 1000));
        var complete = await client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(TestImages.Digest(data)),
        });

        second.AssertError("ServerException", HttpStatusCode.InternalServerError);
        complete.AssertError("InvalidLayerException");
        Assert.Empty(Directory.GetFiles(Blobs(ecr)));
        Assert.Empty(Directory.GetFiles(Uploads(ecr)));

        var other = await TestImages.InitiateUploadAsync(client, "app");
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", other, data, 0, 6 * 1024 * 1024))).EnsureOk();
        File.Delete(Assert.Single(Directory.GetFiles(Uploads(ecr))));
        ecr.Server.Faults.ForgetUploads();
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", other, data, 6 * 1024 * 1024, 1000))).AssertError("UploadNotFoundException");
        Assert.Empty(Directory.GetFiles(Spares(ecr)));
    }

    /// <summary>
    /// A completed upload whose file is gone is ServerException: the layer is not recorded nor a blob of zeros stored,
    /// and the upload has ended (a retry is UploadNotFound); the layer uploaded anew is stored whole.
    /// </summary>
    [Fact]
    public async Task A_completed_upload_whose_file_is_gone_is_a_ServerException_and_records_no_layer()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        var data = TestImages.RandomBytes(1000, 55);
        var digest = TestImages.Digest(data);
        var uploadId = await TestImages.InitiateUploadAsync(client, "app");
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, data.Length))).EnsureOk();
        File.Delete(Assert.Single(Directory.GetFiles(Uploads(ecr))));
        var complete = new JsonObject { ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(digest) };

        var refused = await client.CallAsync("CompleteLayerUpload", complete);
        var retried = await client.CallAsync("CompleteLayerUpload", complete.DeepClone().AsObject());

        refused.AssertError("ServerException", HttpStatusCode.InternalServerError);
        retried.AssertError("UploadNotFoundException");
        Assert.Equal("UNAVAILABLE", await AvailabilityAsync(client, digest));
        Assert.Empty(Directory.GetFiles(Blobs(ecr)));
        Assert.Equal(digest, await TestImages.UploadBlobAsync(client, "app", data));
        Assert.Equal(data, await File.ReadAllBytesAsync(BlobPath(ecr, digest)));
    }

    /// <summary>
    /// A layer that cannot be moved into the blob store (DATA/blobs/sha256 is no folder) is ServerException and not
    /// recorded; its upload file is kept for reuse, and once the folder is back the layer uploaded anew is stored.
    /// </summary>
    [Fact]
    public async Task A_layer_that_cannot_be_moved_into_the_blob_store_is_a_ServerException_and_not_recorded()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        var data = TestImages.RandomBytes(1000, 56);
        var digest = TestImages.Digest(data);
        var uploadId = await TestImages.InitiateUploadAsync(client, "app");
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, data.Length))).EnsureOk();
        ReplaceWithFile(Blobs(ecr));

        var refused = await client.CallAsync("CompleteLayerUpload", new JsonObject { ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(digest) });

        refused.AssertError("ServerException", HttpStatusCode.InternalServerError);
        Assert.Equal("UNAVAILABLE", await AvailabilityAsync(client, digest));
        Assert.Empty(Directory.GetFiles(Uploads(ecr)));
        Assert.Single(Directory.GetFiles(Spares(ecr)));
        RestoreFolder(Blobs(ecr));
        Assert.Equal(digest, await TestImages.UploadBlobAsync(client, "app", data));
        Assert.Equal("AVAILABLE", await AvailabilityAsync(client, digest));
        Assert.Equal(data, await File.ReadAllBytesAsync(BlobPath(ecr, digest)));
    }

    /// <summary>
    /// An upload file not needed (its blob is stored already) that cannot be kept as a spare (DATA/spare-uploads is no
    /// folder) is deleted, not left in DATA/uploads; the upload itself succeeds.
    /// </summary>
    [Fact]
    public async Task An_upload_file_that_cannot_be_kept_as_a_spare_is_deleted()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        await TestImages.CreateRepositoryAsync(client, "other");
        var data = TestImages.RandomBytes(1000, 57);
        await TestImages.UploadBlobAsync(client, "app", data);
        ReplaceWithFile(Spares(ecr));

        await TestImages.UploadBlobAsync(client, "other", data);

        Assert.Empty(Directory.GetFiles(Uploads(ecr)));
        Assert.True(File.Exists(Spares(ecr)));
    }

    /// <summary>
    /// A signature managed signing cannot write (DATA/uploads is no folder when it is due) fails the call that settles
    /// it (ServerException) and stays IN_PROGRESS; the first call once the folder is back stores it: it is not lost.
    /// </summary>
    [Fact]
    public async Task A_signature_that_cannot_be_written_stays_in_progress_and_is_stored_once_the_folder_is_back()
    {
        const string Profile = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/release";
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        await ManagedSigningTests.ConfigureAsync(client, (Profile, []));
        var (digest, _) = await TestImages.PushImageAsync(client, "app", "v1", 58);
        var status = new JsonObject { ["repositoryName"] = "app", ["imageId"] = TestImages.ImageId(digest) };
        ReplaceWithFile(Uploads(ecr));
        ecr.Time.Advance(TimeSpan.FromSeconds(3));

        var refused = await client.CallAsync("DescribeImageSigningStatus", status.DeepClone().AsObject());
        var stillDue = await client.CallAsync("DescribeImageSigningStatus", status.DeepClone().AsObject());
        RestoreFolder(Uploads(ecr));
        var stored = (await client.CallAsync("DescribeImageSigningStatus", status.DeepClone().AsObject())).EnsureOk().Json;

        refused.AssertError("ServerException", HttpStatusCode.InternalServerError);
        stillDue.AssertError("ServerException", HttpStatusCode.InternalServerError);
        Assert.Equal("COMPLETE", stored["signingStatuses"]![0]!["status"]!.GetValue<string>());
        var referrers = (await client.CallAsync("ListImageReferrers", new JsonObject
        {
            ["repositoryName"] = "app", ["subjectId"] = new JsonObject { ["imageDigest"] = digest },
        })).EnsureOk().Json["referrers"]!.AsArray();
        Assert.Equal("application/vnd.cncf.notary.signature", Assert.Single(referrers)!["artifactType"]!.GetValue<string>());
    }

    /// <summary>
    /// A file of the data directory LocalEcr may not open (permission denied: EACCES, which .NET raises as
    /// UnauthorizedAccessException, not IOException; provoked here, whoever runs the tests, by a folder in place of the
    /// upload's file, which open(2) refuses for writing) is ServerException like any other failure of the data
    /// directory, answered in ECR's JSON with its request id, not a bare 500 without a body; nothing is stored.
    /// </summary>
    [Fact]
    public async Task An_upload_file_LocalEcr_may_not_open_is_a_ServerException_and_stores_nothing()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        var data = TestImages.RandomBytes(1000, 60);
        var uploadId = await TestImages.InitiateUploadAsync(client, "app");
        var file = Assert.Single(Directory.GetFiles(Uploads(ecr)));
        File.Delete(file);
        Directory.CreateDirectory(file);

        var refused = await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, data.Length));

        refused.AssertError("ServerException", HttpStatusCode.InternalServerError);
        Assert.Equal(Failed, refused.Json["message"]!.GetValue<string>());
        Assert.NotNull(refused.RequestId);
        Assert.Empty(Directory.GetFiles(Blobs(ecr)));
        Assert.Equal("UNAVAILABLE", await AvailabilityAsync(client, TestImages.Digest(data)));
    }

    /// <summary>
    /// A managed signature that cannot be moved into the blob store (DATA/blobs/sha256 is no folder) fails the call that
    /// settles it (ServerException) and leaves no file of its own in DATA/uploads, where nothing would ever remove it
    /// from a kept data directory.
    /// </summary>
    [Fact]
    public async Task A_signature_that_cannot_be_moved_into_the_blob_store_leaves_no_upload_file()
    {
        const string Profile = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/release";
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        await ManagedSigningTests.ConfigureAsync(client, (Profile, []));
        var (digest, _) = await TestImages.PushImageAsync(client, "app", "v1", 61);
        ReplaceWithFile(Blobs(ecr));
        ecr.Time.Advance(TimeSpan.FromSeconds(3));

        var refused = await client.CallAsync("DescribeImageSigningStatus", new JsonObject { ["repositoryName"] = "app", ["imageId"] = TestImages.ImageId(digest) });

        refused.AssertError("ServerException", HttpStatusCode.InternalServerError);
        Assert.Empty(Directory.GetFiles(Uploads(ecr)));
    }

    /// <summary>
    /// A blob gone from the data directory is not served from a download URL issued for it: 403, no bytes, and S3's
    /// answer for a key that is gone to a signer without s3:ListBucket ("Access Denied"), not the expired URL's.
    /// </summary>
    [Fact]
    public async Task A_blob_gone_from_the_data_directory_is_not_served()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        var data = TestImages.RandomBytes(1000, 59);
        var digest = await TestImages.UploadBlobAsync(client, "app", data);
        await TestImages.ReferenceLayerAsync(client, "app", digest, data.Length);
        var url = await TestImages.DownloadUrlAsync(client, "app", digest);
        File.Delete(BlobPath(ecr, digest));

        using var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("<Code>AccessDenied</Code><Message>Access Denied</Message>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // S3's error responses are XML documents, typed as such (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, ecr.Server.Calls.Count("us-east-1", CallLog.DownloadLayer));
    }

    /// <summary>
    /// A blob LocalEcr cannot open for reading is refused as a gone one is (403 AccessDenied in S3's XML), not answered
    /// with Kestrel's bare 500: a folder in its file's place (which .NET refuses to open with UnauthorizedAccessException,
    /// the error of a file LocalEcr may not read), or its whole folder gone (DirectoryNotFoundException, not
    /// FileNotFoundException).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_blob_that_cannot_be_opened_or_whose_folder_is_gone_is_refused_as_a_gone_blob(bool folderInItsPlace)
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        var data = TestImages.RandomBytes(1000, 62);
        var digest = await TestImages.UploadBlobAsync(client, "app", data);
        await TestImages.ReferenceLayerAsync(client, "app", digest, data.Length);
        var url = await TestImages.DownloadUrlAsync(client, "app", digest);
        if (folderInItsPlace)
        {
            File.Delete(BlobPath(ecr, digest));
            Directory.CreateDirectory(BlobPath(ecr, digest));
        }
        else
        {
            Directory.Delete(Blobs(ecr), recursive: true);
        }

        using var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("<Code>AccessDenied</Code><Message>Access Denied</Message>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, ecr.Server.Calls.Count("us-east-1", CallLog.DownloadLayer));
    }

    /// <summary>Spare upload files a process that did not stop cleanly left in a kept data directory are removed at start.</summary>
    [Fact]
    public async Task Spares_left_in_a_kept_data_directory_are_removed_at_start()
    {
        var dir = Directory.CreateTempSubdirectory("localecr-stale-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "spare-uploads"));
            await File.WriteAllBytesAsync(Path.Combine(dir, "spare-uploads", "0123456789abcdef0123456789abcdef"), new byte[4096]);

            await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { DataDirectory = dir });

            Assert.Empty(Directory.GetFiles(Path.Combine(dir, "spare-uploads")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Upload files a process that did not stop cleanly (killed, out of memory, a power cut) left in a kept data directory
    /// are removed at start too: their sessions lived in its memory, so no upload id can reach them again, and each
    /// holds the half of a layer received so far.
    /// </summary>
    [Fact]
    public async Task Upload_files_left_in_a_kept_data_directory_are_removed_at_start()
    {
        var dir = Directory.CreateTempSubdirectory("localecr-stale-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "uploads"));
            await File.WriteAllBytesAsync(Path.Combine(dir, "uploads", Guid.CreateVersion7().ToString()), new byte[4096]);

            await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { DataDirectory = dir });

            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(dir, "uploads")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// What a start removes from a kept data directory is only what LocalEcr left there: files of its own naming (an
    /// upload id, a managed signature's upload file, a spare). A --data-dir given as a folder that already held an
    /// "uploads" folder of its own keeps every other file and folder in it; emptying the folder whole at start had
    /// deleted them.
    /// </summary>
    [Fact]
    public async Task A_start_removes_only_the_upload_and_spare_files_LocalEcr_names()
    {
        var dir = Directory.CreateTempSubdirectory("localecr-stale-").FullName;
        try
        {
            var uploads = Directory.CreateDirectory(Path.Combine(dir, "uploads")).FullName;
            var spares = Directory.CreateDirectory(Path.Combine(dir, "spare-uploads")).FullName;
            string[] leftovers =
            [
                Path.Combine(uploads, Guid.CreateVersion7().ToString()),
                Path.Combine(uploads, "signing-" + Guid.NewGuid().ToString("N")),
                Path.Combine(spares, Guid.NewGuid().ToString("N")),
            ];
            string[] others =
            [
                Path.Combine(uploads, "report.pdf"),
                Path.Combine(uploads, "photos", "cat.jpg"),
                Path.Combine(uploads, Guid.NewGuid().ToString("N")),
                Path.Combine(spares, "notes.txt"),
            ];
            foreach (var file in leftovers.Concat(others))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                await File.WriteAllBytesAsync(file, new byte[16]);
            }

            await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { DataDirectory = dir });

            Assert.All(leftovers, file => Assert.False(File.Exists(file), file));
            Assert.All(others, file => Assert.True(File.Exists(file), file));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// One server per data directory: a second started on a directory a running server uses is refused before it
    /// touches it. Started, it removed the first one's upload files as leftovers, and the first server's upload in
    /// progress then failed its next part (ServerException) though nothing was wrong with it. Once the first has
    /// stopped, a server starts there again.
    /// </summary>
    [Fact]
    public async Task A_second_server_on_a_data_directory_in_use_is_refused_and_the_first_ones_upload_goes_on()
    {
        var dir = Directory.CreateTempSubdirectory("localecr-shared-").FullName;
        try
        {
            var data = TestImages.RandomBytes(1000, 62);
            await using (var first = await LocalEcrServer.StartAsync(new LocalEcrOptions { DataDirectory = dir }))
            {
                using var client = new EcrTestClient(first);
                await TestImages.CreateRepositoryAsync(client, "app");
                var uploadId = await TestImages.InitiateUploadAsync(client, "app");

                var refused = await Assert.ThrowsAsync<DataDirectoryInUseException>(() => LocalEcrServer.StartAsync(new LocalEcrOptions { DataDirectory = dir }));

                Assert.Equal(dir, refused.DataDirectory);
                (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, data.Length))).EnsureOk();
                (await client.CallAsync("CompleteLayerUpload", new JsonObject
                {
                    ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(TestImages.Digest(data)),
                })).EnsureOk();
            }

            await using var again = await LocalEcrServer.StartAsync(new LocalEcrOptions { DataDirectory = dir });
            Assert.True(File.Exists(Path.Combine(dir, "blobs", "sha256", TestImages.Digest(data)[7..])));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// A start that fails on the data directory after taking its lock (here its "uploads" is a file, so the leftovers
    /// cannot be looked for) lets the lock go: once the folder is put right, a server starts there in the same process.
    /// Held by the failed start's unreachable handle, the lock refused it as in use by another server until a garbage
    /// collection happened to close that handle.
    /// </summary>
    [Fact]
    public async Task A_start_that_fails_on_the_data_directory_leaves_it_free_for_the_next_start()
    {
        var dir = Directory.CreateTempSubdirectory("localecr-failed-start-").FullName;
        try
        {
            var uploads = Path.Combine(dir, "uploads");
            await File.WriteAllTextAsync(uploads, "not a folder");

            var failed = await Assert.ThrowsAsync<DataDirectoryException>(() => LocalEcrServer.StartAsync(new LocalEcrOptions { DataDirectory = dir }));
            Assert.Equal(dir, failed.DataDirectory);
            Assert.Contains(uploads, failed.Message, StringComparison.Ordinal);

            RestoreFolder(uploads);
            await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { DataDirectory = dir });
            Assert.True(Directory.Exists(uploads));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Uploads(ClockedEcr ecr) => Path.Combine(ecr.Server.DataDirectory, "uploads");

    private static string Spares(ClockedEcr ecr) => Path.Combine(ecr.Server.DataDirectory, "spare-uploads");

    private static string Blobs(ClockedEcr ecr) => Path.Combine(ecr.Server.DataDirectory, "blobs", "sha256");

    private static string BlobPath(ClockedEcr ecr, string digest) => Path.Combine(Blobs(ecr), digest[7..]);

    /// <summary>A folder of the data directory replaced by a file: nothing can be created in it, whoever runs the tests.</summary>
    private static void ReplaceWithFile(string folder)
    {
        Directory.Delete(folder, recursive: true);
        File.WriteAllText(folder, "not a folder");
    }

    private static void RestoreFolder(string folder)
    {
        File.Delete(folder);
        Directory.CreateDirectory(folder);
    }

    private static async Task<string> AvailabilityAsync(EcrTestClient client, string digest)
    {
        var json = (await client.CallAsync("BatchCheckLayerAvailability", new JsonObject { ["repositoryName"] = "app", ["layerDigests"] = new JsonArray(digest) })).EnsureOk().Json;
        return json["layers"]!.AsArray().Count > 0 ? json["layers"]![0]!["layerAvailability"]!.GetValue<string>() : "UNAVAILABLE";
    }
}
