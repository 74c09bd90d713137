using System.Security.Cryptography;
using System.Text;
using Replicator.Core.Manifests;
using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// BatchGetImage calls are bounded by declared manifest bytes as well as by count, so that an answer stays under the
/// client's 64 MiB cap even when its manifests are near ECR's 4 MiB limit and their JSON escaping inflates them.
/// </summary>
public sealed class ManifestFetchBatchTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void Small_manifests_go_ten_to_a_call()
    {
        var batches = Batches.ManifestFetches(Enumerable.Range(0, 25).Select(i => ($"d{i}", 2_000L))).ToList();

        Assert.Equal([10, 10, 5], batches.Select(b => b.Count));
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"d{i}"), batches.SelectMany(b => b));
    }

    [Fact]
    public void Large_manifests_share_a_call_only_within_the_byte_budget()
    {
        var batches = Batches.ManifestFetches([("a", 4 * MiB), ("b", 4 * MiB), ("c", 3 * MiB), ("d", 1 * MiB), ("e", 10)]).ToList();

        Assert.Equal([["a", "b"], ["c", "d", "e"]], batches.Select(b => b.ToArray()));
        Assert.All(batches, b => Assert.True(b.Count <= Batches.ManifestFetchBatchSize));
    }

    [Fact]
    public void An_unknown_or_implausible_size_counts_as_the_largest_manifest()
    {
        var batches = Batches.ManifestFetches([("a", -1), ("b", -1), ("c", -1), ("d", long.MaxValue), ("e", 3 * MiB)]).ToList();

        // Two of the largest fit ten MiB, a third does not; the budget never lets one manifest's size overflow it.
        Assert.Equal([["a", "b"], ["c", "d"], ["e"]], batches.Select(b => b.ToArray()));
        Assert.True(2 * ManifestParser.MaxManifestBytes <= Batches.ManifestFetchBytes);
        Assert.True(3 * ManifestParser.MaxManifestBytes > Batches.ManifestFetchBytes);
    }

    /// <summary>
    /// Ten children of 3.5 MB each, under ECR's limit, whose annotation is a run of escaped quotes: each character of
    /// it takes at least two bytes on the wire, so ten in one BatchGetImage would pass the 64 MiB cap, and the index
    /// would fail for good as an invalid response. The second run reads the destination's copies the same way.
    /// </summary>
    [Fact]
    public async Task An_index_of_ten_children_near_the_manifest_limit_is_replicated_and_then_up_to_date()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 48).Image(SampleFormat.Oci, [1000]);
        var single = image.Root.Manifest;
        var children = new List<SampleManifest>();
        for (var i = 0; i < 10; i++)
        {
            var json = single[..^1] + ",\"annotations\":{\"x\":\"" + string.Concat(Enumerable.Repeat("\\\"", 1_750_000)) + i + "\"}}";
            Assert.True(Encoding.UTF8.GetByteCount(json) < ManifestParser.MaxManifestBytes);
            children.Add(new SampleManifest(Digest(json), MediaTypes.OciManifest, json));
        }

        var entries = string.Join(",", children.Select(c => $"{{\"mediaType\":\"{MediaTypes.OciManifest}\",\"digest\":\"{c.Digest}\",\"size\":{c.Size},\"platform\":{{\"architecture\":\"amd64\",\"os\":\"linux\"}}}}"));
        var index = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciIndex}\",\"manifests\":[{entries}]}}";
        var root = new SampleManifest(Digest(index), MediaTypes.OciIndex, index);
        await h.PushAsync(Source, "team/big", new SampleImage(image.Blobs, [.. children, root]), "v1");

        var first = await h.Replicator().ReplicateAsync(Request("team/big", root.Digest, "v1", West), CancellationToken.None);
        var again = await h.Replicator().ReplicateAsync(Request("team/big", root.Digest, "v1", West), CancellationToken.None);

        Assert.True(first.Succeeded, string.Join("; ", first.Destinations.Select(d => $"{d.ErrorCode}: {d.Message}")));
        Assert.Equal(ReplicationOutcome.Replicated, first.Destinations[0].Outcome);
        Assert.Equal(ReplicationOutcome.UpToDate, again.Destinations[0].Outcome);
        Assert.Equal(root.Digest, await h.TagDigestAsync(West, "team/big", "v1"));
    }

    private static string Digest(string json) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
}
