using Replicator.Core.Manifests;
using Replicator.Core.Planning;

namespace Replicator.Core.Tests.Planning;

/// <summary>Source images and destination states built from the fixtures.</summary>
internal static class Images
{
    public static Manifest Amd64 => Fixture.Parse("docker-v2-amd64.json");

    public static Manifest Arm64 => Fixture.Parse("docker-v2-arm64.json");

    public static SourceImage Single(string tag = "v1") => SourceImage.Create(Amd64, tag: tag);

    public static SourceImage List(string tag = "v1") =>
        SourceImage.Create(Fixture.Parse("manifest-list.json"), [Amd64, Arm64], tag: tag);

    public static SourceImage Nested(IEnumerable<Manifest>? referrers = null, string? tag = "v1", bool applyTag = true) =>
        SourceImage.Create(
            Fixture.Parse("oci-index-nested.json"),
            [Fixture.Parse("oci-manifest.json"), Fixture.Parse("oci-index-inner.json"), Fixture.Parse("oci-manifest-arm64.json"), Fixture.Parse("oci-manifest-armv7.json")],
            referrers,
            tag,
            applyTag);

    public static DestinationState Holding(IEnumerable<string>? blobs = null, IEnumerable<string>? manifests = null, string? tagDigest = null) =>
        new(true, new HashSet<string>(blobs ?? [], StringComparer.Ordinal), new HashSet<string>(manifests ?? [], StringComparer.Ordinal), tagDigest);

    public static IReadOnlyList<string> ManifestOrder(ReplicationPlan plan) =>
        [.. plan.Manifests.Select(put => put.TagOnly
            ? "tag " + Name(put.Digest) + ":" + put.Tag
            : Name(put.Digest) + (put.Tag is null ? string.Empty : ":" + put.Tag))];

    private static readonly string[] FixtureNames =
    [
        "docker-v2-amd64.json", "docker-v2-arm64.json", "manifest-list.json", "oci-manifest.json", "oci-index-inner.json",
        "oci-manifest-arm64.json", "oci-manifest-armv7.json", "oci-index-nested.json", "oci-artifact.json", "signature-on-index.json",
        "buildx-index.json", "buildx-attestation-manifest.json",
    ];

    private static string Name(string digest) =>
        FixtureNames.FirstOrDefault(n => Fixture.DigestOf(n) == digest)?.Replace(".json", string.Empty, StringComparison.Ordinal) ?? digest;
}
