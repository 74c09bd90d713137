using Replicator.Core.Manifests;

namespace Replicator.Samples;

/// <summary>
/// Builds synthetic images, deterministic from a seed, for the CLI demo, benchmarks and tests: every digest and
/// size is right, so a registry accepts them, but layers are random bytes, not tar archives (they cannot be run).
/// OCI layers are declared uncompressed so the config's diff_ids (the layer digests) are truthful. Layer content
/// is generated on demand (<see cref="SeededContent"/>), so large layers need no memory.
/// </summary>
public sealed class SampleImageBuilder(ulong seed)
{
    public const string AttestationReferenceType = "attestation-manifest";
    public const string ProvenancePredicate = "https://slsa.dev/provenance/v0.2";

    private readonly Dictionary<string, SampleBlob> _seeded = new(StringComparer.Ordinal);

    public ulong Seed { get; } = seed;

    /// <summary>One linux image: a config and one layer per size.</summary>
    public SampleImage Image(SampleFormat format, IReadOnlyList<long> layerSizes, string architecture = "amd64")
    {
        var (manifest, blobs) = BuildImage(format, layerSizes, new Platform(architecture, "linux"));
        return new SampleImage(blobs, [manifest]);
    }

    /// <summary>
    /// A linux/amd64 + linux/arm64 index whose images share their first layer (so dedup has something to find),
    /// optionally with a buildx-style attestation manifest for amd64. Attestations need an OCI index, as buildx makes.
    /// </summary>
    public SampleImage MultiArch(SampleFormat format, IReadOnlyList<long> layerSizes, bool withAttestation = false)
    {
        var blobs = new List<SampleBlob>();
        var manifests = new List<SampleManifest>();
        var entries = new List<(SampleManifest, Platform, IReadOnlyDictionary<string, string>?)>();
        foreach (var platform in new[] { new Platform("amd64", "linux"), new Platform("arm64", "linux", "v8") })
        {
            var (manifest, imageBlobs) = BuildImage(format, layerSizes, platform);
            AddDistinct(blobs, imageBlobs);
            manifests.Add(manifest);
            entries.Add((manifest, platform, null));
        }

        if (withAttestation)
        {
            var (attestation, attestationBlobs) = BuildAttestation(manifests[0]);
            AddDistinct(blobs, attestationBlobs);
            manifests.Add(attestation);
            entries.Add((attestation, new Platform("unknown", "unknown"), new Dictionary<string, string>
            {
                ["vnd.docker.reference.digest"] = manifests[0].Digest,
                ["vnd.docker.reference.type"] = AttestationReferenceType,
            }));
        }

        var indexType = format == SampleFormat.Docker && !withAttestation ? MediaTypes.DockerManifestList : MediaTypes.OciIndex;
        manifests.Add(ToManifest(indexType, SampleJson.Index(indexType, entries)));
        return new SampleImage(blobs, manifests);
    }

    /// <summary>
    /// An OCI artifact referring to <paramref name="subject"/>: <c>artifactType</c>, the empty config carried inline
    /// in <c>data</c>, and one payload blob of that type.
    /// </summary>
    public SampleImage Artifact(SampleManifest subject, string artifactType = "application/spdx+json", long payloadSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var empty = Small(MediaTypes.OciEmpty, "{}"u8.ToArray());
        var payload = Seeded(artifactType, $"artifact-{subject.Digest}-{artifactType}", payloadSize);
        var json = SampleJson.ImageManifest(MediaTypes.OciManifest, empty, [(payload, null)], artifactType, subject, inlineConfig: true);
        return new SampleImage([empty, payload], [ToManifest(MediaTypes.OciManifest, json)]);
    }

    /// <summary>
    /// An OCI image manifest referring to <paramref name="subject"/> with an ordinary image config and no
    /// <c>artifactType</c> (an attestation or SBOM pushed as an image, one layer of <paramref name="layerType"/>).
    /// ECR reports its <c>artifactMediaType</c> as the config's, an image's, so nothing in a DescribeImages listing
    /// marks it an artifact; ListImageReferrers answers the config's media type as its <c>artifactType</c>, as the OCI
    /// distribution spec's referrers API does for a manifest without one (botocore ECR model, ImageReferrer.artifactType).
    /// </summary>
    public SampleImage ImageWithSubject(SampleManifest subject, string layerType = "application/vnd.in-toto+json", long layerSize = 512)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var layer = Seeded(layerType, $"image-with-subject-{subject.Digest}-{layerType}", layerSize);
        var config = Small(MediaTypes.OciConfig, SampleJson.Config("unknown", "unknown", [layer.Digest], Seed));
        var json = SampleJson.ImageManifest(MediaTypes.OciManifest, config, [(layer, null)], subject: subject);
        return new SampleImage([config, layer], [ToManifest(MediaTypes.OciManifest, json)]);
    }

    private (SampleManifest Manifest, List<SampleBlob> Blobs) BuildImage(SampleFormat format, IReadOnlyList<long> layerSizes, Platform platform)
    {
        ArgumentNullException.ThrowIfNull(layerSizes);
        var (manifestType, configType, layerType) = format == SampleFormat.Oci
            ? (MediaTypes.OciManifest, MediaTypes.OciConfig, MediaTypes.OciLayer)
            : (MediaTypes.DockerManifest, MediaTypes.DockerConfig, MediaTypes.DockerLayer);
        var layers = new List<SampleBlob>(layerSizes.Count);
        for (var i = 0; i < layerSizes.Count; i++)
        {
            var label = i == 0 ? $"{format}-layer-0" : $"{format}-layer-{i}-{platform}";
            layers.Add(Seeded(layerType, label, layerSizes[i]));
        }

        var config = Small(configType, SampleJson.Config(platform.Architecture, platform.Os, layers.Select(l => l.Digest), Seed));
        var json = SampleJson.ImageManifest(manifestType, config, layers.Select(l => (l, (IReadOnlyDictionary<string, string>?)null)));
        var blobs = new List<SampleBlob>(layers.Count + 1) { config };
        AddDistinct(blobs, layers);
        return (ToManifest(manifestType, json), blobs);
    }

    private static (SampleManifest Manifest, List<SampleBlob> Blobs) BuildAttestation(SampleManifest subject)
    {
        var statement = Small("application/vnd.in-toto+json", SampleJson.InTotoStatement(subject.Digest, ProvenancePredicate));
        var config = Small(MediaTypes.OciConfig, SampleJson.Config("unknown", "unknown", [statement.Digest], 0));
        var annotations = new Dictionary<string, string> { ["in-toto.io/predicate-type"] = ProvenancePredicate };
        var json = SampleJson.ImageManifest(MediaTypes.OciManifest, config, [(statement, annotations)]);
        return (ToManifest(MediaTypes.OciManifest, json), [config, statement]);
    }

    private SampleBlob Seeded(string mediaType, string label, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var key = $"{mediaType}|{label}|{size}";
        if (!_seeded.TryGetValue(key, out var blob))
        {
            var content = new SeededContent(Seed ^ Fnv1a(label), size);
            _seeded[key] = blob = new SampleBlob(content.ComputeDigest(), size, mediaType, content);
        }

        return blob;
    }

    private static SampleBlob Small(string mediaType, byte[] bytes) =>
        new(Digest.Compute(bytes), bytes.Length, mediaType, new BytesContent(bytes));

    private static SampleManifest ToManifest(string mediaType, string json) =>
        new(Digest.Compute(System.Text.Encoding.UTF8.GetBytes(json)), mediaType, json);

    private static void AddDistinct(List<SampleBlob> into, IEnumerable<SampleBlob> blobs)
    {
        foreach (var blob in blobs)
        {
            if (!into.Exists(b => b.Digest == blob.Digest))
            {
                into.Add(blob);
            }
        }
    }

    private static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
