using System.Text.Json.Nodes;
using LocalEcr.Api;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Api;

/// <summary>LocalEcr refuses what ECR refuses, beyond the model's per-member constraints (see ModelConstraintTests).</summary>
public sealed class StrictnessTests
{
    private const string Lifecycle100 = """{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}""";

    [Fact]
    public async Task DescribeImages_refuses_imageIds_with_maxResults_or_nextToken_and_an_empty_imageIds()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var (digest, _) = await TestImages.PushImageAsync(client, "app", "v1", 1);
        JsonObject Body(JsonNode? ids) => new() { ["repositoryName"] = "app", ["imageIds"] = ids };

        var withMax = Body(new JsonArray(TestImages.ImageId(digest: digest)));
        withMax["maxResults"] = 10;
        (await client.CallAsync("DescribeImages", withMax)).AssertError("InvalidParameterException");
        var withToken = Body(new JsonArray(TestImages.ImageId(digest: digest)));
        withToken["nextToken"] = "abc";
        (await client.CallAsync("DescribeImages", withToken)).AssertError("InvalidParameterException");
        (await client.CallAsync("DescribeImages", Body(new JsonArray()))).AssertError("InvalidParameterException");
        (await client.CallAsync("DescribeImages", Body(new JsonArray(TestImages.ImageId(digest: digest))))).EnsureOk();
        (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app", ["maxResults"] = 10 })).EnsureOk();
    }

    /// <summary>
    /// A member name or string value escaping an unpaired UTF-16 surrogate is valid JSON, plain ASCII on the wire, but
    /// no string: ECR cannot deserialize such a request and answers 400 SerializationException, never a 500 (which a
    /// client retries as the server's fault).
    /// </summary>
    [Theory]
    [InlineData("CreateRepository", """{"repositoryName":"\ud800ab"}""")]
    [InlineData("DescribeImages", """{"repositoryName":"app","imageIds":[{"imageTag":"\udc00"}]}""")]
    [InlineData("DescribeRepositories", """{"\ud800":1}""")]
    public async Task A_string_escaping_an_unpaired_surrogate_is_a_SerializationException(string operation, string body)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");

        var answer = await client.SendRawAsync("AmazonEC2ContainerRegistry_V20150921." + operation, System.Text.Encoding.UTF8.GetBytes(body));

        answer.AssertError("SerializationException");
    }

    /// <summary>
    /// The same inside a document a request string holds: the body is readable (its string escapes a backslash), the
    /// manifest or policy in it is not. Invalid JSON there (InvalidParameterException), never a 500.
    /// </summary>
    [Theory]
    [InlineData("PutImage", "imageManifest")]
    [InlineData("SetRepositoryPolicy", "policyText")]
    [InlineData("PutLifecyclePolicy", "lifecyclePolicyText")]
    public async Task A_document_in_a_request_string_escaping_an_unpaired_surrogate_is_InvalidParameter(string operation, string member)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var document = "{\"schemaVersion\":2,\"mediaType\":\"\\ud800\",\"padding\":\"" + new string('x', 120) + "\"}";

        (await client.CallAsync(operation, new JsonObject { ["repositoryName"] = "app", [member] = document })).AssertError("InvalidParameterException");
    }

    [Fact]
    public async Task A_lifecycle_policy_text_is_at_least_100_characters()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        Assert.True(Lifecycle100.Length >= 100);
        var short99 = """{"rules":[]""" + new string(' ', 99 - 12) + "}";
        Assert.Equal(99, short99.Length);

        (await client.CallAsync("PutLifecyclePolicy", new JsonObject { ["repositoryName"] = "app", ["lifecyclePolicyText"] = short99 })).AssertError("InvalidParameterException");
        (await client.CallAsync("PutLifecyclePolicy", new JsonObject { ["repositoryName"] = "app", ["lifecyclePolicyText"] = Lifecycle100 })).EnsureOk();
    }

    [Fact]
    public async Task A_tag_needs_a_Value_and_keys_under_aws_are_reserved()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        (await client.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = "app", ["tags"] = new JsonArray(new JsonObject { ["Key"] = "team" }) }))
            .AssertError("InvalidParameterException");
        (await client.CallAsync("CreateRepository", new JsonObject
        {
            ["repositoryName"] = "app", ["tags"] = new JsonArray(new JsonObject { ["Key"] = "aws:cloudformation:stack-name", ["Value"] = "s" }),
        })).AssertError("InvalidTagParameterException");
        var arn = (await client.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = "app", ["tags"] = new JsonArray(new JsonObject { ["Key"] = "team", ["Value"] = "" }) }))
            .EnsureOk().Json["repository"]!["repositoryArn"]!.GetValue<string>();
        (await client.CallAsync("TagResource", new JsonObject { ["resourceArn"] = arn, ["tags"] = new JsonArray(new JsonObject { ["Key"] = "owner" }) }))
            .AssertError("InvalidParameterException");
    }

    [Theory]
    [InlineData("IMMUTABLE_WITH_EXCLUSION", null)]
    [InlineData("MUTABLE_WITH_EXCLUSION", null)]
    [InlineData("MUTABLE", """[{"filterType":"WILDCARD","filter":"dev-*"}]""")]
    [InlineData("IMMUTABLE", """[{"filterType":"WILDCARD","filter":"dev-*"}]""")]
    [InlineData("IMMUTABLE_WITH_EXCLUSION", """[]""")]
    [InlineData("IMMUTABLE_WITH_EXCLUSION", """[{"filterType":"REGEX","filter":"dev-*"}]""")]
    [InlineData("IMMUTABLE_WITH_EXCLUSION", """[{"filterType":"WILDCARD","filter":"dev/*"}]""")]
    [InlineData("IMMUTABLE_WITH_EXCLUSION", """[{"filterType":"WILDCARD"}]""")]
    [InlineData("IMMUTABLE_WITH_EXCLUSION", """[{"filterType":"WILDCARD","filter":"a"},{"filterType":"WILDCARD","filter":"b"},{"filterType":"WILDCARD","filter":"c"},{"filterType":"WILDCARD","filter":"d"},{"filterType":"WILDCARD","filter":"e"},{"filterType":"WILDCARD","filter":"f"}]""")]
    public async Task Exclusion_filters_are_validated(string mutability, string? filters)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        var body = new JsonObject { ["repositoryName"] = "app", ["imageTagMutability"] = mutability };
        if (filters is not null)
        {
            body["imageTagMutabilityExclusionFilters"] = JsonNode.Parse(filters);
        }

        (await client.CallAsync("CreateRepository", body)).AssertError("InvalidParameterException");
        body["imageTagMutability"] = "IMMUTABLE_WITH_EXCLUSION";
        body["imageTagMutabilityExclusionFilters"] = JsonNode.Parse("""[{"filterType":"WILDCARD","filter":"dev-*"}]""");
        (await client.CallAsync("CreateRepository", body)).EnsureOk();
    }

    [Fact]
    public async Task Parts_up_to_the_models_20_MiB_are_accepted_and_larger_ones_refused()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var data = TestImages.RandomBytes((20 * 1024 * 1024) + 1, 5);
        var uploadId = await TestImages.InitiateUploadAsync(client, "app");

        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, data.Length))).AssertError("InvalidParameterException");
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 0, 20 * 1024 * 1024))).EnsureOk();
        (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, data, 20 * 1024 * 1024, 1))).EnsureOk();
        (await client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(TestImages.Digest(data)),
        })).EnsureOk();
    }

    [Fact]
    public void An_upload_stops_at_4200_parts_and_52000_MiB()
    {
        const long maxLayer = 52_000L * 1024 * 1024;
        UploadOperations.CheckLimits(4199, 0, 1);
        Assert.Equal("LimitExceededException", Assert.Throws<EcrException>(() => UploadOperations.CheckLimits(4200, 0, 1)).Code);
        UploadOperations.CheckLimits(10, maxLayer - 1, 1);
        Assert.Equal("LimitExceededException", Assert.Throws<EcrException>(() => UploadOperations.CheckLimits(10, maxLayer - 1, 2)).Code);
    }

    /// <summary>
    /// A nextToken continues the request it came from (the model: "the nextToken value returned from a previous
    /// paginated ... request"): replayed on another repository, with another filter or on another operation it is
    /// refused, not taken as an offset into the wrong listing; a different page size may go on.
    /// </summary>
    [Fact]
    public async Task A_nextToken_is_refused_on_any_request_but_the_one_it_continues()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        foreach (var repository in new[] { "aa", "bb" })
        {
            await TestImages.CreateRepositoryAsync(client, repository);
            for (var seed = 0; seed < 3; seed++)
            {
                await TestImages.PushImageAsync(client, repository, $"v{seed}", 40 + seed);
            }
        }

        JsonObject Describe(string repository, string? token, int max = 1, string? tagStatus = null)
        {
            var body = new JsonObject { ["repositoryName"] = repository, ["maxResults"] = max };
            if (token is not null)
            {
                body["nextToken"] = token;
            }

            if (tagStatus is not null)
            {
                body["filter"] = new JsonObject { ["tagStatus"] = tagStatus };
            }

            return body;
        }

        var token = (await client.CallAsync("DescribeImages", Describe("aa", null))).EnsureOk().Json["nextToken"]!.GetValue<string>();

        (await client.CallAsync("DescribeImages", Describe("bb", token))).AssertError("InvalidParameterException");
        (await client.CallAsync("DescribeImages", Describe("aa", token, tagStatus: "TAGGED"))).AssertError("InvalidParameterException");
        (await client.CallAsync("ListImages", Describe("aa", token))).AssertError("InvalidParameterException");
        var next = (await client.CallAsync("DescribeImages", Describe("aa", token, max: 2))).EnsureOk().Json;
        Assert.Equal(2, next["imageDetails"]!.AsArray().Count);
        Assert.Null(next["nextToken"]);
    }
}
