using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using LocalEcr.Model;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Api;

/// <summary>
/// Managed signing (https://docs.aws.amazon.com/AmazonECR/latest/userguide/managed-signing.html): a push a signing rule
/// matches is signed after the push, once per profile; the status is IN_PROGRESS until the signature is stored as a
/// referrer of the image, then COMPLETE.
/// </summary>
public sealed class ManagedSigningTests
{
    private const string ProfileA = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/release_a";
    private const string ProfileB = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/release_b";

    [Fact]
    public async Task A_matched_push_is_IN_PROGRESS_until_its_signature_is_stored_as_a_referrer_of_the_image()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        await ConfigureAsync(client, (ProfileA, ["app*"]));
        await TestImages.CreateRepositoryAsync(client, "other");
        var (digest, manifest) = await TestImages.PushImageAsync(client, "app", "v1", 40);
        var (unsigned, _) = await TestImages.PushImageAsync(client, "other", "v1", 41);

        Assert.Equal([(ProfileA, "IN_PROGRESS")], await StatusesAsync(client, "app", digest));
        Assert.Empty(await ReferrersAsync(client, "app", digest));
        Assert.Empty(await StatusesAsync(client, "other", unsigned));

        ecr.Time.Advance(TimeSpan.FromSeconds(3) - TimeSpan.FromMilliseconds(1));
        Assert.Equal([(ProfileA, "IN_PROGRESS")], await StatusesAsync(client, "app", digest));

        ecr.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([(ProfileA, "COMPLETE")], await StatusesAsync(client, "app", digest));
        var referrer = Assert.Single(await ReferrersAsync(client, "app", digest))!;
        Assert.Equal("application/vnd.cncf.notary.signature", referrer["artifactType"]!.GetValue<string>());
        Assert.Empty(await ReferrersAsync(client, "other", unsigned));

        // The signature is an ordinary manifest of the repository: pulled by digest, its subject the image, its blobs
        // downloadable like any layer.
        var signatureDigest = referrer["digest"]!.GetValue<string>();
        var pulled = (await client.CallAsync("BatchGetImage", new JsonObject
        {
            ["repositoryName"] = "app",
            ["imageIds"] = new JsonArray(TestImages.ImageId(signatureDigest)),
            ["acceptedMediaTypes"] = new JsonArray(TestImages.OciManifest),
        })).EnsureOk().Json;
        var signature = JsonNode.Parse(pulled["images"]![0]!["imageManifest"]!.GetValue<string>())!;
        Assert.Equal(digest, signature["subject"]!["digest"]!.GetValue<string>());
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(manifest), signature["subject"]!["size"]!.GetValue<long>());
        using var http = new HttpClient();
        foreach (var blob in signature["layers"]!.AsArray().Append(signature["config"]))
        {
            var blobDigest = blob!["digest"]!.GetValue<string>();
            var url = await TestImages.DownloadUrlAsync(client, "app", blobDigest);
            var bytes = await http.GetByteArrayAsync(new Uri(url));
            Assert.Equal(blobDigest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }
    }

    [Fact]
    public async Task Each_profile_signs_once_and_a_manifest_with_a_subject_is_not_signed()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        await ConfigureAsync(client, (ProfileB, []), (ProfileA, ["*p*"]), (ProfileA, ["app"]));
        var (digest, _) = await TestImages.PushImageAsync(client, "app", "v1", 42);

        ecr.Server.FinishSigning();

        Assert.Equal([(ProfileA, "COMPLETE"), (ProfileB, "COMPLETE")], await StatusesAsync(client, "app", digest));
        var signatures = await ReferrersAsync(client, "app", digest);
        Assert.Equal(2, signatures.Select(s => s!["digest"]!.GetValue<string>()).Distinct().Count());
        foreach (var signature in signatures)
        {
            var signatureDigest = signature!["digest"]!.GetValue<string>();
            Assert.Empty(await StatusesAsync(client, "app", signatureDigest));
            Assert.Empty(await ReferrersAsync(client, "app", signatureDigest));
        }
    }

    [Fact]
    public async Task A_signing_duration_of_zero_signs_within_the_push_and_the_admin_route_ends_signings_in_progress()
    {
        await using (var ecr = await ClockedEcr.StartAsync(o => o.SigningDuration = TimeSpan.Zero))
        {
            await ConfigureAsync(ecr.Client, (ProfileA, []));
            var (digest, _) = await TestImages.PushImageAsync(ecr.Client, "app", "v1", 43);
            Assert.Equal([(ProfileA, "COMPLETE")], await StatusesAsync(ecr.Client, "app", digest));
            Assert.Single(await ReferrersAsync(ecr.Client, "app", digest));
        }

        await using (var ecr = await ClockedEcr.StartAsync())
        {
            await ConfigureAsync(ecr.Client, (ProfileA, []));
            var (digest, _) = await TestImages.PushImageAsync(ecr.Client, "app", "v1", 44);
            using var admin = new HttpClient { BaseAddress = ecr.Server.BaseAddress };
            using (var finished = await admin.PostAsync("_localecr/finish-signing", null))
            {
                Assert.Equal(HttpStatusCode.NoContent, finished.StatusCode);
            }

            Assert.Equal([(ProfileA, "COMPLETE")], await StatusesAsync(ecr.Client, "app", digest));
        }
    }

    [Fact]
    public async Task The_configuration_is_read_and_deleted_as_ECR_answers_and_an_image_pushed_before_it_has_no_status()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        var (before, _) = await TestImages.PushImageAsync(client, "app", "v1", 45);

        (await client.CallAsync("GetSigningConfiguration", new JsonObject())).AssertError("SigningConfigurationNotFoundException");
        Assert.Contains("SigningConfigurationNotFoundException", EcrModel.Instance.Errors("GetSigningConfiguration"));
        await ConfigureAsync(client, (ProfileA, ["team/*", "app"]));

        var got = (await client.CallAsync("GetSigningConfiguration", new JsonObject())).EnsureOk().Json;
        Assert.Equal("000000000000", got["registryId"]!.GetValue<string>());
        var rule = Assert.Single(got["signingConfiguration"]!["rules"]!.AsArray())!;
        Assert.Equal(ProfileA, rule["signingProfileArn"]!.GetValue<string>());
        Assert.Equal(["team/*", "app"], rule["repositoryFilters"]!.AsArray().Select(f => f!["filter"]!.GetValue<string>()));
        Assert.Empty(await StatusesAsync(client, "app", before));

        (await client.CallAsync("DeleteSigningConfiguration", new JsonObject())).EnsureOk();
        (await client.CallAsync("DeleteSigningConfiguration", new JsonObject())).AssertError("SigningConfigurationNotFoundException");
        var (after, _) = await TestImages.PushImageAsync(client, "app", "v2", 46);
        Assert.Empty(await StatusesAsync(client, "app", after));
    }

    /// <summary>
    /// A job belongs to the pushed record, not to its digest: an image deleted while it is signed and pushed again (the
    /// same bytes, so the same digest) is a new push with its own signing time. The first push's job, due earlier, is
    /// dropped; finishing it against the new record would report COMPLETE before the new push's signature is due.
    /// </summary>
    [Fact]
    public async Task An_image_deleted_and_pushed_again_while_it_is_signed_is_signed_on_the_new_pushs_time()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        await ConfigureAsync(client, (ProfileA, ["app"]));
        var (digest, manifest) = await TestImages.PushImageAsync(client, "app", "v1", 47);

        ecr.Time.Advance(TimeSpan.FromSeconds(2));
        var deleted = (await client.CallAsync("BatchDeleteImage", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(digest)) })).EnsureOk().Json;
        Assert.Single(deleted["imageIds"]!.AsArray());
        // Its layers stay in the repository: the same manifest is put again, as a re-push after a delete does.
        (await client.CallAsync("PutImage", new JsonObject { ["repositoryName"] = "app", ["imageManifest"] = manifest, ["imageTag"] = "v1" })).EnsureOk();

        ecr.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([(ProfileA, "IN_PROGRESS")], await StatusesAsync(client, "app", digest));
        Assert.Empty(await ReferrersAsync(client, "app", digest));

        ecr.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal([(ProfileA, "COMPLETE")], await StatusesAsync(client, "app", digest));
        Assert.Single(await ReferrersAsync(client, "app", digest));
    }

    /// <summary>
    /// A finished job is gone: calls later on the clock store no second signature. Each signature is stamped with the
    /// moment it is stored, so a job left behind would add a new referrer to the image on every later call.
    /// </summary>
    [Fact]
    public async Task A_signature_is_stored_once_however_many_calls_follow_it()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        await ConfigureAsync(client, (ProfileA, ["app"]));
        var (digest, _) = await TestImages.PushImageAsync(client, "app", "v1", 48);

        ecr.Time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal([(ProfileA, "COMPLETE")], await StatusesAsync(client, "app", digest));
        ecr.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(await ReferrersAsync(client, "app", digest));
        ecr.Time.Advance(TimeSpan.FromMinutes(1));
        ecr.Server.FinishSigning();

        Assert.Single(await ReferrersAsync(client, "app", digest));
        Assert.Equal([(ProfileA, "COMPLETE")], await StatusesAsync(client, "app", digest));
    }

    [Fact]
    public async Task The_model_refuses_a_filter_type_other_than_WILDCARD_MATCH_and_a_profile_ARN_of_another_service()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;

        var prefix = await client.CallAsync("PutSigningConfiguration", Configuration(new JsonObject
        {
            ["signingProfileArn"] = ProfileA,
            ["repositoryFilters"] = new JsonArray(new JsonObject { ["filter"] = "app", ["filterType"] = "PREFIX_MATCH" }),
        }));
        var kms = await client.CallAsync("PutSigningConfiguration", Configuration(new JsonObject
        {
            ["signingProfileArn"] = "arn:aws:kms:us-east-1:000000000000:key/abc",
        }));

        prefix.AssertError("InvalidParameterException");
        kms.AssertError("InvalidParameterException");
        (await client.CallAsync("GetSigningConfiguration", new JsonObject())).AssertError("SigningConfigurationNotFoundException");
    }

    [Fact]
    public async Task The_status_of_a_missing_image_or_repository_is_refused_with_the_modelled_errors()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;

        var image = await client.CallAsync("DescribeImageSigningStatus", new JsonObject { ["repositoryName"] = "app", ["imageId"] = TestImages.ImageId(tag: "nope") });
        var repository = await client.CallAsync("DescribeImageSigningStatus", new JsonObject { ["repositoryName"] = "gone", ["imageId"] = TestImages.ImageId(tag: "v1") });

        image.AssertError("ImageNotFoundException");
        repository.AssertError("RepositoryNotFoundException");
    }

    internal static JsonObject Configuration(params JsonObject[] rules) =>
        new() { ["signingConfiguration"] = new JsonObject { ["rules"] = new JsonArray(rules) } };

    internal static async Task ConfigureAsync(EcrTestClient client, params (string Profile, string[] Filters)[] rules) =>
        (await client.CallAsync("PutSigningConfiguration", Configuration([.. rules.Select(r =>
        {
            var rule = new JsonObject { ["signingProfileArn"] = r.Profile };
            if (r.Filters.Length > 0)
            {
                rule["repositoryFilters"] = new JsonArray([.. r.Filters.Select(f => (JsonNode)new JsonObject { ["filter"] = f, ["filterType"] = "WILDCARD_MATCH" })]);
            }

            return rule;
        })]))).EnsureOk();

    private static async Task<List<(string, string)>> StatusesAsync(EcrTestClient client, string repository, string digest)
    {
        var json = (await client.CallAsync("DescribeImageSigningStatus", new JsonObject { ["repositoryName"] = repository, ["imageId"] = TestImages.ImageId(digest) })).EnsureOk().Json;
        Assert.Equal(digest, json["imageId"]!["imageDigest"]!.GetValue<string>());
        return [.. json["signingStatuses"]!.AsArray().Select(s => (s!["signingProfileArn"]!.GetValue<string>(), s["status"]!.GetValue<string>()))];
    }

    private static async Task<JsonArray> ReferrersAsync(EcrTestClient client, string repository, string digest) =>
        (await client.CallAsync("ListImageReferrers", new JsonObject
        {
            ["repositoryName"] = repository,
            ["subjectId"] = new JsonObject { ["imageDigest"] = digest },
        })).EnsureOk().Json["referrers"]!.AsArray();
}
