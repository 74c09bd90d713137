using Replicator.Cli.Composition;
using Replicator.Cli.Selection;

namespace Replicator.Cli.Tests.Selection;

public sealed class EcrRegistryHostTests
{
    [Theory]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com", "us-east-1")]
    [InlineData("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "cn-north-1")]
    [InlineData("123456789012.dkr.ecr.us-gov-west-1.amazonaws.com", "us-gov-west-1")]
    [InlineData("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1")]
    [InlineData("123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov", "us-iso-east-1")]
    [InlineData("123456789012.dkr.ecr.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1")]
    [InlineData("123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu", "eusc-de-east-1")]
    [InlineData("123456789012.dkr-ecr.eu-west-1.on.aws", "eu-west-1")]
    [InlineData("123456789012.dkr-ecr.cn-northwest-1.on.amazonwebservices.com.cn", "cn-northwest-1")]
    public void Reads_the_account_and_region_of_every_partitions_host_forms(string host, string region)
    {
        var parsed = EcrRegistryHost.Parse(host);

        Assert.NotNull(parsed);
        Assert.Equal("123456789012", parsed.Account);
        Assert.Equal(region, parsed.Region);
        Assert.Equal(host, parsed.Host);
    }

    [Theory]
    [InlineData("public.ecr.aws")]
    [InlineData("ghcr.io")]
    [InlineData("12345678901.dkr.ecr.us-east-1.amazonaws.com")]
    [InlineData("123456789012.dkr.ecr.us-east-1.example.com")]
    [InlineData("team")]
    public void Other_hosts_and_names_are_not_ecr_registries(string host)
    {
        Assert.Null(EcrRegistryHost.Parse(host));
    }

    [Fact]
    public void An_image_uri_parses_into_its_registry_and_reference()
    {
        var parsed = ImageArgument.Parse("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1.0");

        Assert.Equal(("team/app", "1.0", (string?)null), (parsed.Repository, parsed.Tag, parsed.Digest));
        Assert.Equal(("123456789012", "us-east-1"), (parsed.Registry!.Account, parsed.Registry.Region));
        Assert.Equal("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1.0", parsed.Reference);
    }

    [Fact]
    public void A_dotted_first_component_stays_part_of_the_repository_name()
    {
        // "team.x/app" is a valid ECR repository name: only an ECR host is taken for a registry.
        var parsed = ImageArgument.Parse("team.x/app:1.0");

        Assert.Equal("team.x/app", parsed.Repository);
        Assert.Null(parsed.Registry);
    }

    [Fact]
    public void A_tag_only_parse_refuses_a_uri_naming_the_repository_to_give()
    {
        var error = Assert.Throws<UsageException>(() => ImageArgument.ParseTagged("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1.0", "no digests"));

        Assert.Contains("give REPOSITORY:TAG ('team/app:1.0')", error.Message, StringComparison.Ordinal);
    }
}
