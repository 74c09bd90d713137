using System.Net;
using System.Text.Json.Nodes;
using LocalEcr.Model;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Api;

/// <summary>The check every test's error answers pass through (EcrTestClient): it must be able to fail.</summary>
public sealed class ModelledErrorsTests
{
    [Fact]
    public void A_code_the_model_does_not_list_for_the_operation_is_refused()
    {
        // GetAuthorizationToken names no repository: the model lists only InvalidParameterException and ServerException.
        Assert.DoesNotContain("RepositoryNotFoundException", EcrModel.Instance.Errors("GetAuthorizationToken"));
        Assert.False(ModelledErrors.Allows("GetAuthorizationToken", "RepositoryNotFoundException"));
        Assert.False(ModelledErrors.Allows("DescribeRepositories", "ThrottlingException"));
        Assert.False(ModelledErrors.Allows("DescribeRepositories", "repositorynotfoundexception"));
        Assert.False(ModelledErrors.Allows("NoSuchOperation", "RepositoryNotFoundException"));
    }

    [Fact]
    public void The_operations_modelled_errors_and_the_common_ones_are_allowed()
    {
        Assert.True(ModelledErrors.Allows("DescribeRepositories", "RepositoryNotFoundException"));
        Assert.True(ModelledErrors.Allows("PutImage", "ImageTagAlreadyExistsException"));
        Assert.True(ModelledErrors.Allows("GetAuthorizationToken", "UnrecognizedClientException"));
        Assert.True(ModelledErrors.Allows("NoSuchOperation", "UnknownOperationException"));
    }

    [Fact]
    public async Task Only_an_injected_answer_is_exempt_from_the_check()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        var missing = new JsonObject { ["repositoryNames"] = new JsonArray("absent") };
        var own = await client.CallAsync("DescribeRepositories", missing);
        own.AssertError("RepositoryNotFoundException");
        Assert.False(server.Faults.IsInjectedAnswer(own.RequestId!));

        server.Faults.FailNext("DescribeRepositories", 1, "ThrottlingException");
        var injected = await client.CallAsync("DescribeRepositories", missing);
        injected.AssertError("ThrottlingException");
        Assert.True(server.Faults.IsInjectedAnswer(injected.RequestId!));
        Assert.Equal(HttpStatusCode.BadRequest, injected.Status);
    }
}
