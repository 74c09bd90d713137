using System.Diagnostics;
using System.Text.Json;
using LocalEcr.Model;

namespace LocalEcr.Tests.Api;

/// <summary>
/// The check every LocalEcr answer of the tests goes through (EcrTestClient): botocore's output and error shapes, as
/// generated into ecr-model.json. These cases show it refuses what an SDK would drop or fail to read, and that the
/// generated file is what generate.py writes from the botocore on this machine.
/// </summary>
public sealed class AnswerShapeTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static List<ModelViolation> Answer(string operation, string json)
    {
        using var document = JsonDocument.Parse(json);
        return EcrModel.Instance.CheckAnswer(operation, document.RootElement);
    }

    [Fact]
    public void An_answer_of_the_models_members_passes_with_an_empty_list_where_the_model_says_at_least_one()
    {
        // ListImages of an empty repository: ECR answers "imageIds": [], though ImageIdentifierList has min 1.
        Assert.Empty(Answer("ListImages", """{"imageIds":[]}"""));
        Assert.Empty(Answer("DescribeImages", $$"""{"imageDetails":[{"registryId":"000000000000","repositoryName":"app","imageDigest":"{{Digest}}","imageTags":["v1"],"imageSizeInBytes":12,"imagePushedAt":1767225600.123,"imageManifestMediaType":"application/vnd.oci.image.manifest.v1+json","imageStatus":"ACTIVE"}]}"""));
    }

    [Theory]
    [InlineData("ListImages", """{"imageIds":[],"imageCount":0}""", "unknown-member", "imageCount")]
    [InlineData("ListImages", """{"imageIDs":[]}""", "unknown-member", "imageIDs")]
    [InlineData("DescribeImages", """{"imageDetails":[{"imageSizeInBytes":"12"}]}""", "type", "imageDetails[0].imageSizeInBytes")]
    [InlineData("DescribeImages", """{"imageDetails":[{"imagePushedAt":"2026-01-01T00:00:00Z"}]}""", "type", "imageDetails[0].imagePushedAt")]
    [InlineData("DescribeImages", """{"imageDetails":[{"imageStatus":"Active"}]}""", "enum", "imageDetails[0].imageStatus")]
    [InlineData("BatchGetImage", """{"images":[],"failures":[{"failureCode":"NotFound","failureReason":"x"}]}""", "enum", "failures[0].failureCode")]
    [InlineData("BatchCheckLayerAvailability", """{"layers":[],"failures":[{"failureCode":"ImageNotFound"}]}""", "enum", "failures[0].failureCode")]
    [InlineData("DescribeRepositories", """{"repositories":[{"repositoryName":"Upper"}]}""", "pattern", "repositories[0].repositoryName")]
    [InlineData("DescribeRepositories", """{"repositories":[{"encryptionConfiguration":{"kmsKey":"k"}}]}""", "required", "repositories[0].encryptionConfiguration.encryptionType")]
    [InlineData("InitiateLayerUpload", """{"uploadId":"0190d1a2-0000-7000-8000-000000000000","partSize":"5"}""", "type", "partSize")]
    public void An_answer_an_SDK_would_drop_or_fail_to_read_is_refused_at_its_member(string operation, string json, string kind, string path)
    {
        var violation = Assert.Single(Answer(operation, json));
        Assert.Equal((kind, path), (violation.Kind, violation.Path));
    }

    [Fact]
    public void An_error_answer_may_carry_its_shapes_members_and_the_protocols_type_only()
    {
        using var kms = JsonDocument.Parse("""{"__type":"KmsException","message":"m","kmsError":"ThrottlingException"}""");
        Assert.Empty(EcrModel.Instance.CheckError("KmsException", kms.RootElement));

        using var extra = JsonDocument.Parse("""{"__type":"RepositoryNotFoundException","message":"m","repositoryName":"app"}""");
        var violation = Assert.Single(EcrModel.Instance.CheckError("RepositoryNotFoundException", extra.RootElement));
        Assert.Equal(("unknown-member", "repositoryName"), (violation.Kind, violation.Path));
    }

    /// <summary>
    /// ecr-model.json is generated, and a botocore upgrade on the machine (whose model gains an error, a member, an enum
    /// value) must show here rather than leave LocalEcr checking against a model ECR has moved on from.
    /// </summary>
    [Fact]
    public async Task The_generated_model_is_what_generate_py_writes_from_this_machines_botocore()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Replicator.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("Replicator.sln not found above the test directory");
        }

        var script = Path.Combine(root.FullName, "src/LocalEcr/Model/generate.py");
        var output = Path.Combine(Path.GetTempPath(), $"ecr-model-{Guid.NewGuid():N}.json");
        try
        {
            using var python = Process.Start(new ProcessStartInfo("python3", [script, output]) { RedirectStandardError = true })!;
            var stderr = await python.StandardError.ReadToEndAsync();
            await python.WaitForExitAsync();
            Assert.True(python.ExitCode == 0, $"generate.py failed: {stderr}");
            Assert.True(
                File.ReadAllText(Path.Combine(root.FullName, "src/LocalEcr/Model/ecr-model.json")) == File.ReadAllText(output),
                "src/LocalEcr/Model/ecr-model.json differs from what generate.py writes now: run python3 src/LocalEcr/Model/generate.py and review the diff");
        }
        finally
        {
            File.Delete(output);
        }
    }
}
