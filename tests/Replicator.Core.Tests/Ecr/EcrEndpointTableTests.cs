using Replicator.Core.Tests.Support;
using Replicator.Testing;
using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Core.Partitions;
using Replicator.Samples;

namespace Replicator.Core.Tests.Ecr;

/// <summary>
/// The ECR endpoint of every region of every partition, with and without FIPS and dual-stack, against the table
/// Fixtures/generate_endpoints.py wrote from botocore's own endpoint resolver (Fixtures/ecr-endpoints.tsv).
/// </summary>
public sealed class EcrEndpointTableTests
{
    public static TheoryData<string, string, bool, bool, string> Rows() => EndpointTable.Read("ecr-endpoints.tsv");

    [Fact]
    public void The_table_covers_every_partition_botocore_knows()
    {
        var partitions = Rows().Select(r => (string)r[1]).ToHashSet();
        Assert.Equal(["aws", "aws-cn", "aws-eusc", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-us-gov"], partitions.Order(StringComparer.Ordinal));
        Assert.Equal(AwsPartitions.All.Select(p => p.Id).Order(StringComparer.Ordinal), partitions.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Endpoint_and_partition_match_botocore(string region, string partition, bool fips, bool dualStack, string url)
    {
        Assert.NotEqual("error", url);
        Assert.Equal(partition, AwsPartitions.IdOf(region));
        Assert.Equal(new Uri(url), EcrEndpoints.ForRegion(region, fips, dualStack));
        Assert.Equal(new Uri(url), EcrEndpoints.Resolve(region, Environment(("AWS_USE_FIPS_ENDPOINT", fips ? "true" : "false"), ("AWS_USE_DUALSTACK_ENDPOINT", dualStack ? "true" : "false"))));
    }

    /// <summary>
    /// Regions that do not exist yet, numbered past 9: botocore's partitions.json matches each partition's regions with
    /// <c>\d+</c> (for instance <c>^us\-gov\-\w+\-\d+$</c>), so a region added with a two-digit number keeps its
    /// partition. The expected ids are what those regexes in botocore/data/partitions.json give.
    /// </summary>
    [Theory]
    [InlineData("ap-south-10", "aws")]
    [InlineData("cn-north-10", "aws-cn")]
    [InlineData("eusc-de-east-10", "aws-eusc")]
    [InlineData("us-iso-east-11", "aws-iso")]
    [InlineData("us-isob-east-10", "aws-iso-b")]
    [InlineData("eu-isoe-west-10", "aws-iso-e")]
    [InlineData("us-isof-south-10", "aws-iso-f")]
    [InlineData("us-gov-west-12", "aws-us-gov")]
    public void A_future_region_numbered_past_9_keeps_its_partition(string region, string partition) =>
        Assert.Equal(partition, AwsPartitions.IdOf(region));

    [Fact]
    public void A_region_no_partition_claims_is_aws_as_in_botocore() =>
        Assert.Equal("aws", AwsPartitions.IdOf("xx-east-1"));

    [Fact]
    public void Endpoint_overrides_come_before_FIPS_and_dual_stack()
    {
        var env = Environment(("AWS_USE_FIPS_ENDPOINT", "true"), ("AWS_USE_DUALSTACK_ENDPOINT", "true"), ("AWS_ENDPOINT_URL_ECR", "http://127.0.0.1:5000"));
        Assert.Equal(new Uri("http://127.0.0.1:5000/"), EcrEndpoints.Resolve("us-east-1", env));
        env = Environment(("AWS_USE_FIPS_ENDPOINT", "true"), ("AWS_ENDPOINT_URL", "http://127.0.0.1:6000"));
        Assert.Equal(new Uri("http://127.0.0.1:6000/"), EcrEndpoints.Resolve("us-east-1", env));
    }

    [Fact]
    public void The_shared_config_file_keys_apply_when_the_variables_are_unset_and_the_variables_win()
    {
        var dir = Directory.CreateTempSubdirectory("ecr-endpoints-");
        try
        {
            var path = Path.Combine(dir.FullName, "config");
            File.WriteAllText(path, """
                [default]
                region = us-east-1

                [profile gov]
                use_fips_endpoint = true
                use_dualstack_endpoint = True
                [profile other]
                use_fips_endpoint = false
                """);

            Assert.Equal(new Uri("https://api.ecr.us-gov-west-1.amazonaws.com/"), EcrEndpoints.Resolve("us-gov-west-1", Environment(("AWS_CONFIG_FILE", path))));
            Assert.Equal(new Uri("https://ecr-fips.us-gov-west-1.api.aws/"), EcrEndpoints.Resolve("us-gov-west-1", Environment(("AWS_CONFIG_FILE", path), ("AWS_PROFILE", "gov"))));
            Assert.Equal(
                new Uri("https://ecr.us-gov-west-1.api.aws/"),
                EcrEndpoints.Resolve("us-gov-west-1", Environment(("AWS_CONFIG_FILE", path), ("AWS_PROFILE", "gov"), ("AWS_USE_FIPS_ENDPOINT", "false"))));

            // A variable set but blank is false, and still wins over the file, as botocore reads it (its environment
            // provider converts any value present, and "" is not "true"; boto3 1.x run on the same file gives
            // api.ecr.REGION for AWS_USE_FIPS_ENDPOINT="" and ecr-fips.REGION without the variable).
            Assert.Equal(
                new Uri("https://api.ecr.us-gov-west-1.amazonaws.com/"),
                EcrEndpoints.Resolve("us-gov-west-1", Environment(("AWS_CONFIG_FILE", path), ("AWS_PROFILE", "gov"), ("AWS_USE_FIPS_ENDPOINT", ""), ("AWS_USE_DUALSTACK_ENDPOINT", " "))));

            var clients = new EcrClientFactory(new HttpClient(), new Replicator.Core.Signing.StaticCredentialsSource(TestClients.LongTermCredentials), Environment(("AWS_CONFIG_FILE", path), ("AWS_PROFILE", "gov")));
            Assert.Equal(new Uri("https://ecr-fips.eusc-de-east-1.api.amazonwebservices.eu/"), ((EcrClient)clients.GetClient("eusc-de-east-1")).Config.Endpoint);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_flag_that_is_not_a_boolean_is_refused_by_name()
    {
        var ex = Assert.Throws<ArgumentException>(() => EcrEndpoints.Resolve("us-east-1", Environment(("AWS_USE_FIPS_ENDPOINT", "yes"))));
        Assert.Contains("AWS_USE_FIPS_ENDPOINT", ex.Message, StringComparison.Ordinal);
    }

    private static DictionaryEnvironmentVariables Environment(params (string Name, string Value)[] values) =>
        DictionaryEnvironmentVariables.Of(values.ToDictionary(v => v.Name, v => v.Value));
}
