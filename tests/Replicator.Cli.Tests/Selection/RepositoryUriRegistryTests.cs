using Replicator.Cli.Composition;
using Replicator.Cli.Selection;

namespace Replicator.Cli.Tests.Selection;

/// <summary>
/// A repository named twice by URI names one registry when the two hosts name one account and region: the FIPS
/// (<c>dkr.ecr-fips</c>) and dual-stack (<c>dkr-ecr</c>) hosts are other ways to the same registry
/// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-requests.html). Before, two spellings of one host were
/// refused as "two registries"; two accounts or two regions still are.
/// </summary>
public sealed class RepositoryUriRegistryTests
{
    [Theory]
    [InlineData("123456789012.dkr-ecr.us-east-1.on.aws/team/app")]
    [InlineData("123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/team/app")]
    public void Two_hosts_of_one_registry_name_one_repository(string other)
    {
        var (repositories, registries) = SelectionParser.ParseRepositories(["123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app", other]);

        Assert.Equal(["team/app", "team/app"], repositories);
        Assert.Equal(("123456789012", "us-east-1"), (registries["team/app"].Account, registries["team/app"].Region));
    }

    [Theory]
    [InlineData("111111111111.dkr.ecr.us-east-1.amazonaws.com/team/app")]
    [InlineData("123456789012.dkr.ecr.us-west-2.amazonaws.com/team/app")]
    public void Two_registries_are_still_refused(string other)
    {
        var error = Assert.Throws<UsageException>(() => SelectionParser.ParseRepositories(["123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app", other]));

        Assert.Contains("names team/app in two registries", error.Message, StringComparison.Ordinal);
    }
}
