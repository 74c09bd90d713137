using System.Text.Json.Nodes;
using LocalEcr.Api;
using LocalEcr.Model;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Api;

/// <summary>
/// Drives LocalEcr with requests that break each constraint botocore's ECR model puts on the operations it
/// serves (cases generated from the model, see ModelViolations), and expects ECR's answer: 400
/// InvalidParameterException naming the member, an error the model lists for the operation.
/// </summary>
public sealed class ModelConstraintTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string UploadId = "0190d1a2-0000-7000-8000-000000000000";
    private const string Arn = "arn:aws:ecr:us-east-1:000000000000:repository/app";

    /// <summary>A valid request per operation with every member the model defines, so every constraint gets a case.</summary>
    private static readonly Dictionary<string, string> ValidRequests = new(StringComparer.Ordinal)
    {
        ["BatchCheckLayerAvailability"] = $$"""{"registryId":"000000000000","repositoryName":"app","layerDigests":["{{Digest}}"]}""",
        ["BatchDeleteImage"] = $$"""{"registryId":"000000000000","repositoryName":"app","imageIds":[{"imageDigest":"{{Digest}}","imageTag":"v1"}]}""",
        ["BatchGetImage"] = $$"""{"registryId":"000000000000","repositoryName":"app","imageIds":[{"imageDigest":"{{Digest}}","imageTag":"v1"}],"acceptedMediaTypes":["application/vnd.oci.image.manifest.v1+json"]}""",
        ["CompleteLayerUpload"] = $$"""{"registryId":"000000000000","repositoryName":"app","uploadId":"{{UploadId}}","layerDigests":["{{Digest}}"]}""",
        ["CreateRepository"] = """{"registryId":"000000000000","repositoryName":"new","tags":[{"Key":"team","Value":"blue"}],"imageTagMutability":"IMMUTABLE_WITH_EXCLUSION","imageTagMutabilityExclusionFilters":[{"filterType":"WILDCARD","filter":"dev-*"}],"imageScanningConfiguration":{"scanOnPush":true},"encryptionConfiguration":{"encryptionType":"KMS","kmsKey":"arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}""",
        ["DeleteSigningConfiguration"] = "{}",
        ["DescribeImageSigningStatus"] = $$$"""{"registryId":"000000000000","repositoryName":"app","imageId":{"imageDigest":"{{{Digest}}}","imageTag":"v1"}}""",
        ["DeleteRepository"] = """{"registryId":"000000000000","repositoryName":"app","force":true}""",
        ["DescribeImages"] = $$"""{"registryId":"000000000000","repositoryName":"app","imageIds":[{"imageDigest":"{{Digest}}","imageTag":"v1"}],"maxResults":10,"filter":{"tagStatus":"ANY","imageStatus":"ANY"},"nextToken":"t"}""",
        ["DescribeRepositories"] = """{"registryId":"000000000000","repositoryNames":["app"],"nextToken":"t","maxResults":10}""",
        ["GetSigningConfiguration"] = "{}",
        ["GetAuthorizationToken"] = """{"registryIds":["000000000000"]}""",
        ["GetDownloadUrlForLayer"] = $$"""{"registryId":"000000000000","repositoryName":"app","layerDigest":"{{Digest}}"}""",
        ["GetLifecyclePolicy"] = """{"registryId":"000000000000","repositoryName":"app"}""",
        ["GetRepositoryPolicy"] = """{"registryId":"000000000000","repositoryName":"app"}""",
        ["InitiateLayerUpload"] = """{"registryId":"000000000000","repositoryName":"app"}""",
        ["ListImageReferrers"] = $$"""{"registryId":"000000000000","repositoryName":"app","subjectId":{"imageDigest":"{{Digest}}"},"filter":{"artifactTypes":["application/x"],"artifactStatus":"ANY"},"nextToken":"t","maxResults":10}""",
        ["ListImages"] = """{"registryId":"000000000000","repositoryName":"app","maxResults":10,"filter":{"tagStatus":"ANY","imageStatus":"ANY"},"nextToken":"t"}""",
        ["ListTagsForResource"] = $$"""{"resourceArn":"{{Arn}}"}""",
        ["PutImage"] = $$"""{"registryId":"000000000000","repositoryName":"app","imageManifest":"{}","imageManifestMediaType":"application/vnd.oci.image.manifest.v1+json","imageTag":"v1","imageDigest":"{{Digest}}"}""",
        ["PutLifecyclePolicy"] = """{"registryId":"000000000000","repositoryName":"app","lifecyclePolicyText":"{\"rules\":[{\"rulePriority\":1,\"selection\":{\"tagStatus\":\"any\",\"countType\":\"imageCountMoreThan\",\"countNumber\":5},\"action\":{\"type\":\"expire\"}}]}"}""",
        ["PutSigningConfiguration"] = """{"signingConfiguration":{"rules":[{"signingProfileArn":"arn:aws:signer:us-east-1:000000000000:/signing-profiles/release","repositoryFilters":[{"filter":"team/*","filterType":"WILDCARD_MATCH"}]}]}}""",
        ["SetRepositoryPolicy"] = """{"registryId":"000000000000","repositoryName":"app","policyText":"{}","force":false}""",
        ["TagResource"] = $$"""{"resourceArn":"{{Arn}}","tags":[{"Key":"team","Value":"blue"}]}""",
        ["UntagResource"] = $$"""{"resourceArn":"{{Arn}}","tagKeys":["team"]}""",
        ["UpdateImageStorageClass"] = $$"""{"registryId":"000000000000","repositoryName":"app","imageId":{"imageDigest":"{{Digest}}","imageTag":"v1"},"targetStorageClass":"ARCHIVE"}""",
        ["UploadLayerPart"] = $$"""{"registryId":"000000000000","repositoryName":"app","uploadId":"{{UploadId}}","partFirstByte":0,"partLastByte":0,"layerPartBlob":"AA=="}""",
    };

    [Fact]
    public void Every_operation_LocalEcr_serves_is_in_the_model_and_has_a_complete_valid_request()
    {
        var model = EcrModel.Instance;
        Assert.StartsWith("botocore ", model.Source, StringComparison.Ordinal);
        Assert.Equal(ValidRequests.Count, EcrDispatcher.Operations.Count());
        foreach (var operation in EcrDispatcher.Operations)
        {
            Assert.True(model.Knows(operation), $"{operation} is not in the generated model: add it to Model/generate.py");
            var valid = (JsonObject)JsonNode.Parse(ValidRequests[operation])!;
            Assert.Empty(model.Check(operation, ModelViolations.ToElement(valid), unknownMembers: true));
            Assert.Equal(model.Input(operation).Members.Keys.Order(StringComparer.Ordinal), valid.Select(p => p.Key).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Every_request_breaking_a_model_constraint_is_refused_naming_the_member()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server, "us-east-1");
        await TestImages.CreateRepositoryAsync(client, "app");
        var model = EcrModel.Instance;
        var cases = EcrDispatcher.Operations.Order(StringComparer.Ordinal)
            .SelectMany(op => ModelViolations.For(model, op, (JsonObject)JsonNode.Parse(ValidRequests[op])!))
            .ToList();

        // Every kind of constraint the model uses is exercised.
        Assert.Superset(
            new HashSet<string> { "required", "min length", "max length", "pattern", "pattern, trailing newline", "enum", "min value", "max value", "min items", "max items", "max bytes" },
            cases.Select(c => c.Broken).ToHashSet());

        var wrong = new List<string>();
        foreach (var c in cases)
        {
            // Each case breaks exactly one constraint of a request the model accepts.
            if (model.Check(c.Operation, ModelViolations.ToElement(c.Body)).Count == 0)
            {
                wrong.Add($"{c.Operation} {c.Path} ({c.Broken}): the generated case breaks nothing");
                continue;
            }

            var response = await client.CallAsync(c.Operation, c.Body);
            var member = c.Path.Split('.')[^1].Split('[')[0];
            if (response.Status != System.Net.HttpStatusCode.BadRequest || response.ErrorCode != "InvalidParameterException"
                || !model.Errors(c.Operation).Contains("InvalidParameterException")
                || !response.Json["message"]!.GetValue<string>().Contains(member, StringComparison.Ordinal))
            {
                wrong.Add($"{c.Operation} {c.Path} ({c.Broken}): {(int)response.Status} {response.ErrorCode} {Shorten(response.Body)}");
            }
        }

        Assert.True(wrong.Count == 0, $"{wrong.Count} of {cases.Count} cases:\n" + string.Join("\n", wrong));
        Assert.True(cases.Count > 150, $"only {cases.Count} cases generated");
    }

    /// <summary>
    /// A member of another JSON type than its shape's (a number where the model says string, a string where it says
    /// integer, boolean, list or structure, a list for a map), at any depth, or a body that is no JSON object, is a 400
    /// SerializationException naming the member: ECR cannot deserialize such a request into its input (awsJson1_1,
    /// https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html), whatever the operation would have done with it.
    /// LocalEcr checks the types before any operation reads the body, so no handler sees a value of the wrong type.
    /// </summary>
    [Fact]
    public async Task Every_member_of_the_wrong_json_type_is_a_SerializationException_naming_it()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server, "us-east-1");
        await TestImages.CreateRepositoryAsync(client, "app");
        var model = EcrModel.Instance;
        var cases = EcrDispatcher.Operations.Order(StringComparer.Ordinal)
            .SelectMany(op => ModelViolations.Mistyped(model, op, (JsonObject)JsonNode.Parse(ValidRequests[op])!))
            .ToList();

        // Every type the requests' shapes use is given a wrong one somewhere.
        Assert.Superset(
            new HashSet<string> { "type string", "type integer", "type boolean", "type list", "type structure", "type blob" },
            cases.Select(c => c.Broken).ToHashSet());

        var wrong = new List<string>();
        foreach (var c in cases)
        {
            var response = await client.CallAsync(c.Operation, c.Body);
            if (response.Status != System.Net.HttpStatusCode.BadRequest || response.ErrorCode != "SerializationException"
                || !response.Json["message"]!.GetValue<string>().Contains($"'{c.Path}'", StringComparison.Ordinal))
            {
                wrong.Add($"{c.Operation} {c.Path} ({c.Broken}): {(int)response.Status} {response.ErrorCode} {Shorten(response.Body)}");
            }
        }

        foreach (var body in (string[])["[]", "\"app\"", "5"])
        {
            var response = await client.SendRawAsync("AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", System.Text.Encoding.UTF8.GetBytes(body));
            if (response.Status != System.Net.HttpStatusCode.BadRequest || response.ErrorCode != "SerializationException")
            {
                wrong.Add($"DescribeRepositories with body {body}: {(int)response.Status} {response.ErrorCode} {Shorten(response.Body)}");
            }
        }

        Assert.True(wrong.Count == 0, $"{wrong.Count} of {cases.Count + 3} cases:\n" + string.Join("\n", wrong));
        Assert.True(cases.Count > 100, $"only {cases.Count} cases generated");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_blobs_length_limit_counts_decoded_bytes_with_padding_whether_or_not_the_text_has_json_escapes(bool escaped)
    {
        // The model caps LayerPartBlob at 20,971,520 decoded bytes. The limit is read from the raw UTF-8 of the
        // value (no 26 MB string per part), or from the unescaped text when a client's encoder escaped '+' as
        // \u002B; both must count the same bytes, including the one or two '=' of padding.
        const int max = 20_971_520;
        var model = EcrModel.Instance;
        foreach (var (length, allowed) in new[] { (max - 1, true), (max, true), (max + 1, false) })
        {
            var data = new byte[length];
            data[0] = 0xFB;
            data[1] = 0xEF;
            data[2] = 0xBE; // encodes as "++++", which a default System.Text.Json encoder escapes
            var text = Convert.ToBase64String(data);
            Assert.StartsWith("++++", text, StringComparison.Ordinal);
            Assert.EndsWith(new string('=', (3 - (length % 3)) % 3), text, StringComparison.Ordinal);
            var json = $$"""{"repositoryName":"app","uploadId":"{{UploadId}}","partFirstByte":0,"partLastByte":0,"layerPartBlob":"{{(escaped ? text.Replace("+", "\\u002B", StringComparison.Ordinal) : text)}}"}""";
            using var document = System.Text.Json.JsonDocument.Parse(json);

            var violations = model.Check("UploadLayerPart", document.RootElement);

            Assert.Equal(allowed, violations.Count == 0);
            if (!allowed)
            {
                Assert.Equal("layerPartBlob", Assert.Single(violations).Path);
            }
        }
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200];
}
