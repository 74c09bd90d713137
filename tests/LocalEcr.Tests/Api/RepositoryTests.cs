using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Api;

public sealed class RepositoryTests
{
    [Fact]
    public async Task CreateRepository_returns_arn_uri_and_keeps_settings()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { AccountId = "123456789012" });
        using var client = new EcrTestClient(server, "eu-central-1");
        var response = (await client.CallAsync("CreateRepository", new JsonObject
        {
            ["repositoryName"] = "team/app",
            ["imageTagMutability"] = "IMMUTABLE_WITH_EXCLUSION",
            ["imageTagMutabilityExclusionFilters"] = new JsonArray(new JsonObject { ["filterType"] = "WILDCARD", ["filter"] = "latest*" }),
            ["imageScanningConfiguration"] = new JsonObject { ["scanOnPush"] = true },
            ["encryptionConfiguration"] = new JsonObject { ["encryptionType"] = "KMS", ["kmsKey"] = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
            ["tags"] = new JsonArray(new JsonObject { ["Key"] = "team", ["Value"] = "blue" }),
        })).EnsureOk();

        Assert.NotNull(response.RequestId);
        var repository = response.Json["repository"]!;
        Assert.Equal("arn:aws:ecr:eu-central-1:123456789012:repository/team/app", repository["repositoryArn"]!.GetValue<string>());
        Assert.Equal("123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/app", repository["repositoryUri"]!.GetValue<string>());
        Assert.Equal("123456789012", repository["registryId"]!.GetValue<string>());
        Assert.InRange(repository["createdAt"]!.GetValue<double>(), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());

        var described = (await client.CallAsync("DescribeRepositories", new JsonObject { ["repositoryNames"] = new JsonArray("team/app") })).EnsureOk().Json["repositories"]![0]!;
        Assert.Equal("IMMUTABLE_WITH_EXCLUSION", described["imageTagMutability"]!.GetValue<string>());
        Assert.Equal("latest*", described["imageTagMutabilityExclusionFilters"]![0]!["filter"]!.GetValue<string>());
        Assert.True(described["imageScanningConfiguration"]!["scanOnPush"]!.GetValue<bool>());
        Assert.Equal("KMS", described["encryptionConfiguration"]!["encryptionType"]!.GetValue<string>());
        Assert.Equal("arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", described["encryptionConfiguration"]!["kmsKey"]!.GetValue<string>());

        var tags = (await client.CallAsync("ListTagsForResource", new JsonObject { ["resourceArn"] = "arn:aws:ecr:eu-central-1:123456789012:repository/team/app" })).EnsureOk().Json["tags"]!;
        Assert.Equal("team", tags[0]!["Key"]!.GetValue<string>());
        Assert.Equal("blue", tags[0]!["Value"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateRepository_twice_is_RepositoryAlreadyExists()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        (await client.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = "app" })).AssertError("RepositoryAlreadyExistsException");
    }

    [Theory]
    [InlineData("A")]
    [InlineData("Upper/Case")]
    [InlineData("../../etc")]
    [InlineData("app//x")]
    [InlineData("-app")]
    [InlineData("a")]
    public async Task Invalid_repository_names_are_InvalidParameter(string name)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        (await client.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = name })).AssertError("InvalidParameterException");
        (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = name })).AssertError("InvalidParameterException");
    }

    [Fact]
    public async Task Name_longer_than_256_is_refused()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        (await client.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = new string('a', 257) })).AssertError("InvalidParameterException");
        (await client.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = new string('a', 256) })).EnsureOk();
    }

    [Fact]
    public async Task DescribeRepositories_pages_with_nextToken_and_reports_missing_names()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        for (var i = 0; i < 5; i++)
        {
            await TestImages.CreateRepositoryAsync(client, $"repo{i}");
        }

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var body = new JsonObject { ["maxResults"] = 2 };
            if (token is not null)
            {
                body["nextToken"] = token;
            }

            var page = (await client.CallAsync("DescribeRepositories", body)).EnsureOk().Json;
            names.AddRange(page["repositories"]!.AsArray().Select(r => r!["repositoryName"]!.GetValue<string>()));
            token = page["nextToken"]?.GetValue<string>();
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(["repo0", "repo1", "repo2", "repo3", "repo4"], names);
        (await client.CallAsync("DescribeRepositories", new JsonObject { ["maxResults"] = 1001 })).AssertError("InvalidParameterException");
        (await client.CallAsync("DescribeRepositories", new JsonObject { ["nextToken"] = "garbage" })).AssertError("InvalidParameterException");
        (await client.CallAsync("DescribeRepositories", new JsonObject { ["repositoryNames"] = new JsonArray("repo1", "missing") })).AssertError("RepositoryNotFoundException");
    }

    /// <summary>
    /// The model's DescribeRepositories maxResults and nextToken: "This option cannot be used when you specify
    /// repositories with repositoryNames." Either one beside repositoryNames is refused; the names alone are described.
    /// </summary>
    [Fact]
    public async Task DescribeRepositories_refuses_repositoryNames_with_maxResults_or_nextToken()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "repo0");
        await TestImages.CreateRepositoryAsync(client, "repo1");
        var token = (await client.CallAsync("DescribeRepositories", new JsonObject { ["maxResults"] = 1 })).EnsureOk().Json["nextToken"]!.GetValue<string>();

        (await client.CallAsync("DescribeRepositories", new JsonObject { ["repositoryNames"] = new JsonArray("repo1"), ["maxResults"] = 1 }))
            .AssertError("InvalidParameterException");
        (await client.CallAsync("DescribeRepositories", new JsonObject { ["repositoryNames"] = new JsonArray("repo1"), ["nextToken"] = token }))
            .AssertError("InvalidParameterException");
        var named = (await client.CallAsync("DescribeRepositories", new JsonObject { ["repositoryNames"] = new JsonArray("repo1") })).EnsureOk().Json;
        Assert.Equal("repo1", Assert.Single(named["repositories"]!.AsArray())!["repositoryName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Lifecycle_and_repository_policies_are_kept_and_missing_ones_reported()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var repo = new JsonObject { ["repositoryName"] = "app" };
        (await client.CallAsync("GetLifecyclePolicy", repo.DeepClone().AsObject())).AssertError("LifecyclePolicyNotFoundException");
        (await client.CallAsync("GetRepositoryPolicy", repo.DeepClone().AsObject())).AssertError("RepositoryPolicyNotFoundException");

        const string lifecycle = "{\"rules\":[{\"rulePriority\":1,\"selection\":{\"tagStatus\":\"untagged\",\"countType\":\"sinceImagePushed\",\"countUnit\":\"days\",\"countNumber\":14},\"action\":{\"type\":\"expire\"}}]}";
        const string policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:BatchGetImage\"}]}";
        (await client.CallAsync("PutLifecyclePolicy", new JsonObject { ["repositoryName"] = "app", ["lifecyclePolicyText"] = lifecycle })).EnsureOk();
        (await client.CallAsync("SetRepositoryPolicy", new JsonObject { ["repositoryName"] = "app", ["policyText"] = policy })).EnsureOk();
        Assert.Equal(lifecycle, (await client.CallAsync("GetLifecyclePolicy", repo.DeepClone().AsObject())).EnsureOk().Json["lifecyclePolicyText"]!.GetValue<string>());
        Assert.Equal(policy, (await client.CallAsync("GetRepositoryPolicy", repo.DeepClone().AsObject())).EnsureOk().Json["policyText"]!.GetValue<string>());
        (await client.CallAsync("SetRepositoryPolicy", new JsonObject { ["repositoryName"] = "app", ["policyText"] = "not json" })).AssertError("InvalidParameterException");
        (await client.CallAsync("GetLifecyclePolicy", new JsonObject { ["repositoryName"] = "other" })).AssertError("RepositoryNotFoundException");
    }

    [Fact]
    public async Task ListTagsForResource_refuses_bad_arn_and_unknown_repository()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server, "us-west-2");
        (await client.CallAsync("ListTagsForResource", new JsonObject { ["resourceArn"] = "arn:aws:s3:::bucket" })).AssertError("InvalidParameterException");
        (await client.CallAsync("ListTagsForResource", new JsonObject { ["resourceArn"] = "arn:aws:ecr:us-west-2:000000000000:repository/nope" })).AssertError("RepositoryNotFoundException");
    }

    [Fact]
    public async Task GetAuthorizationToken_returns_AWS_user_token_and_proxy_endpoint()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { TimeProvider = time });
        using var client = new EcrTestClient(server, "ap-southeast-2") { Clock = time };
        var data = (await client.CallAsync("GetAuthorizationToken")).EnsureOk().Json["authorizationData"]![0]!;
        var decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(data["authorizationToken"]!.GetValue<string>()));
        Assert.StartsWith("AWS:", decoded, StringComparison.Ordinal);
        Assert.True(decoded.Length > 20);
        Assert.Equal("https://000000000000.dkr.ecr.ap-southeast-2.amazonaws.com", data["proxyEndpoint"]!.GetValue<string>());
        Assert.Equal(time.GetUtcNow().AddHours(12).ToUnixTimeSeconds(), (long)data["expiresAt"]!.GetValue<double>());
    }

    [Fact]
    public async Task State_is_per_region_of_the_credential_scope()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var east = new EcrTestClient(server, "us-east-1");
        using var west = east.WithRegion("us-west-2");
        await TestImages.CreateRepositoryAsync(east, "app");
        (await west.CallAsync("DescribeRepositories", new JsonObject { ["repositoryNames"] = new JsonArray("app") })).AssertError("RepositoryNotFoundException");
        await TestImages.CreateRepositoryAsync(west, "app");
        var arn = (await west.CallAsync("DescribeRepositories")).EnsureOk().Json["repositories"]![0]!["repositoryArn"]!.GetValue<string>();
        Assert.Equal("arn:aws:ecr:us-west-2:000000000000:repository/app", arn);
    }

    [Theory]
    [InlineData("KMS", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "KmsException")]
    [InlineData("KMS", "arn:aws-cn:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "KmsException")]
    [InlineData("KMS_DSSE", "arn:aws:kms:eu-central-1:123456789012:secret/x", "KmsException")]
    [InlineData("KMS", "my-key", "KmsException")]
    [InlineData("KMS", "alias/", "KmsException")] // KMS alias names are alias/ and 1..250 more characters (KMS CreateAlias, AliasName)
    [InlineData("KMS", "arn:aws:kms:eu-central-1:123456789012:alias/", "KmsException")]
    [InlineData("KMS", "arn:aws:kms:eu-central-1:\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662:key/12345678-1234-1234-1234-123456789012", "KmsException")]
    [InlineData("AES256", "alias/ecr", "InvalidParameterException")]
    public async Task CreateRepository_refuses_a_kmsKey_that_cannot_encrypt_a_repository_in_its_region(string type, string key, string code)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { AccountId = "123456789012" });
        using var client = new EcrTestClient(server, "eu-central-1");
        JsonObject Request(string encryptionType, string kmsKey) => new()
        {
            ["repositoryName"] = "app",
            ["encryptionConfiguration"] = new JsonObject { ["encryptionType"] = encryptionType, ["kmsKey"] = kmsKey },
        };

        var refused = await client.CallAsync("CreateRepository", Request(type, key));

        refused.AssertError(code);
        if (code == "KmsException")
        {
            Assert.Equal("NotFoundException", refused.Json["kmsError"]!.GetValue<string>());
        }

        Assert.Empty((await client.CallAsync("DescribeRepositories", new JsonObject())).EnsureOk().Json["repositories"]!.AsArray());
        (await client.CallAsync("CreateRepository", type == "AES256" ? Request("KMS", key) : Request(type, "mrk-1234abcd12ab34cd56ef1234567890ab"))).EnsureOk();
    }
}
