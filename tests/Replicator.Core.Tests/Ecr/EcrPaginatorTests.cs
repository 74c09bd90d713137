using System.Text.Json;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Tests.Ecr;

public sealed class EcrPaginatorTests
{
    [Fact]
    public async Task DescribeImages_follows_nextToken_across_pages()
    {
        var handler = new RecordingHandler()
            .RespondOk("""{"imageDetails":[{"imageDigest":"sha256:a1","imageTags":["v1"]},{"imageDigest":"sha256:a2"}],"nextToken":"t1"}""")
            .RespondOk("""{"imageDetails":[],"nextToken":"t2"}""")
            .RespondOk("""{"imageDetails":[{"imageDigest":"sha256:a3"}]}""");
        var client = TestClients.Create(handler);

        var ids = new List<string?>();
        await foreach (var id in client.Paginators.DescribeImages(new DescribeImagesRequest { RepositoryName = "app", MaxResults = 2 }).ImageDetails)
        {
            ids.Add(id.ImageDigest);
        }

        Assert.Equal(["sha256:a1", "sha256:a2", "sha256:a3"], ids);
        Assert.Equal([null, "t1", "t2"], handler.Requests.Select(NextTokenSent));
        Assert.All(handler.Requests, r => Assert.Contains("\"maxResults\":2", r.BodyText, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DescribeRepositories_and_DescribeImages_pages_and_items()
    {
        var handler = new RecordingHandler()
            .RespondOk("""{"repositories":[{"repositoryName":"a"}],"nextToken":"n"}""")
            .RespondOk("""{"repositories":[{"repositoryName":"b"}]}""")
            .RespondOk("""{"imageDetails":[{"imageDigest":"sha256:1"}],"nextToken":"n"}""")
            .RespondOk("""{"imageDetails":[{"imageDigest":"sha256:2"}]}""");
        var client = TestClients.Create(handler);

        var pages = new List<DescribeRepositoriesResponse>();
        await foreach (var page in client.Paginators.DescribeRepositories(new DescribeRepositoriesRequest()).Responses)
        {
            pages.Add(page);
        }

        var digests = new List<string?>();
        await foreach (var detail in client.Paginators.DescribeImages(new DescribeImagesRequest { RepositoryName = "a" }).ImageDetails)
        {
            digests.Add(detail.ImageDigest);
        }

        Assert.Equal(["a", "b"], pages.SelectMany(p => p.Repositories!).Select(r => r.RepositoryName));
        Assert.Equal(["sha256:1", "sha256:2"], digests);
        Assert.Equal(4, handler.Requests.Count);
    }

    [Fact]
    public async Task ListImageReferrers_pages()
    {
        var handler = new RecordingHandler()
            .RespondOk("""{"referrers":[{"digest":"sha256:r1","mediaType":"m","size":1}],"nextToken":"n"}""")
            .RespondOk("""{"referrers":[{"digest":"sha256:r2","mediaType":"m","size":2}]}""");
        var request = new ListImageReferrersRequest { RepositoryName = "app", SubjectId = new() { ImageDigest = "sha256:s" } };

        var digests = new List<string?>();
        await foreach (var referrer in TestClients.Create(handler).Paginators.ListImageReferrers(request).Referrers)
        {
            digests.Add(referrer.Digest);
        }

        Assert.Equal(["sha256:r1", "sha256:r2"], digests);
        Assert.Equal("AmazonEC2ContainerRegistry_V20150921.ListImageReferrers", handler.Requests[1].Header("X-Amz-Target"));
    }

    /// <summary>
    /// An empty nextToken ends the listing like an absent one: the AWS SDKs' paginators stop on it (aws-sdk-js-v3's
    /// ECR paginators continue only while the token is truthy, clients/client-ecr/src/pagination; aws-sdk-rust handles
    /// EC2's empty token the same way, awslabs/aws-sdk-rust#391). Sent back, it would ask for the first page again.
    /// </summary>
    [Fact]
    public async Task An_empty_next_token_ends_the_listing()
    {
        var handler = new RecordingHandler().RespondOk("""{"imageDetails":[{"imageDigest":"sha256:a1"}],"nextToken":""}""");

        var digests = new List<string?>();
        await foreach (var detail in TestClients.Create(handler).Paginators.DescribeImages(new DescribeImagesRequest { RepositoryName = "app" }).ImageDetails)
        {
            digests.Add(detail.ImageDigest);
        }

        Assert.Equal(["sha256:a1"], digests);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_server_repeating_the_token_it_was_sent_stops_the_walk()
    {
        var handler = new RecordingHandler().RespondOk("""{"imageDetails":[],"nextToken":"same"}""");
        var ex = await Assert.ThrowsAsync<EcrException>(async () =>
        {
            await foreach (var _ in TestClients.Create(handler).Paginators.DescribeImages(new DescribeImagesRequest { RepositoryName = "app" }).ImageDetails)
            {
            }
        });
        Assert.Equal(EcrErrorCodes.InvalidResponse, ex.ErrorCode);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task Breaking_out_early_sends_no_further_request_and_cancellation_is_honoured()
    {
        var handler = new RecordingHandler().RespondOk("""{"imageDetails":[{"imageDigest":"sha256:x"}],"nextToken":"more"}""");
        var client = TestClients.Create(handler);
        await foreach (var _ in client.Paginators.DescribeImages(new DescribeImagesRequest { RepositoryName = "app" }).ImageDetails)
        {
            break;
        }

        Assert.Single(handler.Requests);

        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.Paginators.DescribeImages(new DescribeImagesRequest { RepositoryName = "app" }).ImageDetails.WithCancellation(cts.Token))
            {
            }
        });
        Assert.Single(handler.Requests);
    }

    private static string? NextTokenSent(RecordedRequest request)
    {
        using var json = JsonDocument.Parse(request.Body);
        return json.RootElement.TryGetProperty("nextToken", out var token) ? token.GetString() : null;
    }
}
