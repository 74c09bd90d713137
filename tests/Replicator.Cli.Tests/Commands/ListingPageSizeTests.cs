using System.Text.Json;
using Replicator.Cli.Tests.Support;
using Replicator.Core.Ecr;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// <c>sync</c> and <c>verify</c> list repositories and images a thousand a page, the model's maximum: without
/// <c>maxResults</c> ECR answers up to 100 a page, ten times the listing calls over a large registry.
/// </summary>
public sealed class ListingPageSizeTests
{
    [Theory]
    [InlineData("sync")]
    [InlineData("verify")]
    public async Task Every_listing_asks_for_the_largest_page(string command)
    {
        await using var h = await CliHarness.StartAsync(null, options => options.RecordRequests = true);
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(47), "v1");
        h.Server.Calls.Reset();

        var run = await h.RunAsync([command, "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--repository-prefix", "team/"]);

        Assert.True(run.ExitCode is 0 or 1, run.ToString());
        // A listing names no repository or image: a describe by name or id answers those only and takes no page size.
        var listings = h.Server.Calls.Requests
            .Where(r => r.Operation is "DescribeRepositories" or "DescribeImages")
            .Where(r => !JsonDocument.Parse(r.Body).RootElement.TryGetProperty(r.Operation == "DescribeImages" ? "imageIds" : "repositoryNames", out _))
            .ToList();
        Assert.Contains(listings, r => r.Operation == "DescribeRepositories");
        Assert.Contains(listings, r => r.Operation == "DescribeImages");
        Assert.All(listings, r => Assert.Equal(EcrLimits.DescribeMaxResults, JsonDocument.Parse(r.Body).RootElement.GetProperty("maxResults").GetInt32()));
    }

    /// <summary>One repository named with --repository is read by its name: the registry's repositories are not listed to find it.</summary>
    [Theory]
    [InlineData("sync")]
    [InlineData("verify")]
    public async Task One_named_repository_is_read_without_listing_the_registry(string command)
    {
        await using var h = await CliHarness.StartAsync(null, options => options.RecordRequests = true);
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(48), "v1");
        await h.PushAsync(CliHarness.Source, "other", CliHarness.Single(49), "v1");
        h.Server.Calls.Reset();

        var run = await h.RunAsync([command, "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--repository", "team/app"]);

        Assert.True(run.ExitCode is 0 or 1, run.ToString());
        Assert.DoesNotContain(h.Server.Calls.Requests, r => r.Operation == "DescribeRepositories" && !JsonDocument.Parse(r.Body).RootElement.TryGetProperty("repositoryNames", out _));
    }
}
