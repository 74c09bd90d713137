using System.Diagnostics;
using System.Text.Json;
using Replicator.Core.Partitions;

namespace Replicator.Core.Tests.Partitions;

/// <summary>The regions this build knows are botocore's, read from the botocore installed where the tests run.</summary>
public sealed class AwsRegionsTests
{
    [Fact]
    public async Task The_known_regions_are_every_region_of_botocores_partitions()
    {
        // botocore's loader over its own partitions.json, as generate_endpoints.py reads it; "*-global" are not regions.
        const string Script = """
            import json
            from botocore.loaders import create_loader
            partitions = create_loader().load_data("partitions")["partitions"]
            print(json.dumps([[p["id"], sorted(r for r in p["regions"] if not r.endswith("-global"))] for p in partitions]))
            """;
        var start = new ProcessStartInfo("python3", ["-c", Script]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var python = Process.Start(start)!;
        var output = python.StandardOutput.ReadToEndAsync();
        var errors = python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync();
        Assert.True(python.ExitCode == 0, await errors);

        var botocore = JsonDocument.Parse(await output).RootElement.EnumerateArray()
            .Select(p => (Partition: p[0].GetString()!, Regions: p[1].EnumerateArray().Select(r => r.GetString()!).ToArray()))
            .ToArray();

        Assert.Equal(botocore.SelectMany(p => p.Regions), AwsRegions.All);
        Assert.All(botocore, p => Assert.All(p.Regions, r => Assert.Equal(p.Partition, AwsPartitions.IdOf(r))));
    }

    [Theory]
    [InlineData("us-west-2", true)]
    [InlineData("cn-northwest-1", true)]
    [InlineData("us-wset-2", false)]
    [InlineData("US-WEST-2", false)]
    [InlineData("aws-global", false)]
    public void IsKnown_is_an_exact_match(string region, bool known) => Assert.Equal(known, AwsRegions.IsKnown(region));
}
