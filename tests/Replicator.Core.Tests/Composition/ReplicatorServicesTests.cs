using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Replicator.Core.Composition;
using Replicator.Core.Destinations;
using Replicator.Core.Replication;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Signing;
using Replicator.Core.Tests.Replication;
using Replicator.Samples;
using Replicator.Testing;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Composition;

/// <summary>What <see cref="ReplicatorServices.Create"/> wires from its arguments and the environment.</summary>
public sealed class ReplicatorServicesTests
{
    /// <summary>
    /// A DESTINATION_CREDENTIALS parameter is read in the replicator's own region: the home region given (the CLI's
    /// --source-region, the function's region) wins over an AWS_REGION of another region in the caller's shell, where
    /// the parameter does not exist. The SSM call's signing scope names the region it was made in.
    /// </summary>
    /// <remarks>
    /// Without a home region (a CLI command that names no source region), AWS_REGION is the replicator's own region,
    /// as the SDKs take it; without either, us-east-1.
    /// </remarks>
    [Theory]
    [InlineData("us-east-1", "eu-west-1", "us-east-1")]
    [InlineData(null, "eu-west-1", "eu-west-1")]
    [InlineData(null, null, "us-east-1")]
    public async Task The_key_parameter_is_read_in_the_home_region_given_else_in_AWS_REGION(string? homeRegion, string? awsRegion, string readIn)
    {
        var regions = new ConcurrentQueue<string>();
        await using var ssm = await LoopbackApp.StartAsync(async context =>
        {
            // Authorization: AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request, ...
            var authorization = context.Request.Headers.Authorization.ToString();
            var credential = authorization[(authorization.IndexOf("Credential=", StringComparison.Ordinal) + "Credential=".Length)..];
            regions.Enqueue(credential.Split('/')[2]);
            context.Response.ContentType = "application/x-amz-json-1.1";
            await context.Response.WriteAsync("""{"Parameter":{"Name":"/replicator/cn","Type":"SecureString","Value":"{\"AccessKeyId\":\"AKIDSTORED\",\"SecretAccessKey\":\"stored-secret\"}","Version":1}}""");
        });
        var variables = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_SSM"] = ssm.Endpoint.ToString() };
        if (awsRegion is not null)
        {
            variables["AWS_REGION"] = awsRegion;
        }

        var environment = DictionaryEnvironmentVariables.Of(variables);
        ReplicationDestination china = new("cn-north-1", "333333333333");
        var access = DestinationAccess.Parse(null, null, null, "333333333333:cn-north-1=ssm:/replicator/cn", [china], "us-east-1");
        using var services = ReplicatorServices.Create(
            environment, new ReplicatorOptions(), new StaticCredentialsSource(new AwsCredentials("AKIDSOURCE", "source-secret")), access: access, homeRegion: homeRegion);

        var keys = await services.Destinations.CredentialsFor(access.Route(china, "111111111111"), china.Region).GetCredentialsAsync(CancellationToken.None);

        Assert.Equal("AKIDSTORED", keys.AccessKeyId);
        Assert.Equal([readIn], regions);
    }

    /// <summary>
    /// The function hands a push to <see cref="ReplicatorServices.ReplicateAsync"/> and a replicated delete to
    /// <see cref="ReplicatorServices.DeleteAsync"/>: each reaches the engine's own operation, so a DELETE event removes the
    /// destination's tag once the source no longer holds it, and never copies anything.
    /// </summary>
    [Fact]
    public async Task A_push_replicates_and_a_delete_removes_the_destinations_tag_through_the_services()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 4471).Image(SampleFormat.Oci, [600]);
        await h.PushAsync(Source, "svc", image, "v1");
        var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_ECR"] = h.Server.BaseAddress.ToString() });
        using var services = ReplicatorServices.Create(environment, FastOptions, new StaticCredentialsSource(new AwsCredentials("test", "test")), homeRegion: Source);

        Assert.True((await services.ReplicateAsync(Request("svc", image.Digest, "v1", West), CancellationToken.None)).Succeeded);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "svc", "v1"));

        await h.DeleteAsync(Source, "svc", new ImageIdentifier { ImageTag = "v1" });
        var deleted = await services.DeleteAsync(Request("svc", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(deleted.Succeeded);
        Assert.Null(await h.TagDigestAsync(West, "svc", "v1"));
        Assert.Equal(1, h.Calls(West, "BatchDeleteImage"));
    }
}
