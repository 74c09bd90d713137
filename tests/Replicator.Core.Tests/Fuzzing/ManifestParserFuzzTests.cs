using Replicator.Core.Manifests;
using Replicator.Core.Validation;

namespace Replicator.Core.Tests.Fuzzing;

/// <summary>
/// Hostile manifests: seeded mutations of every fixture and generated structures. Each input either parses into a
/// manifest whose every digest and size is valid (so nothing invalid can reach a request), or fails with a
/// <see cref="ManifestException"/> naming the problem — never another exception.
/// Not timed: the validation regexes carry match timeouts, so a catastrophic backtrack throws
/// RegexMatchTimeoutException, which fails here like any other escape; a wall-clock bound per input would fail on a
/// busy machine instead.
/// </summary>
public sealed class ManifestParserFuzzTests
{
    private const string Hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    // Sorted: Directory.GetFiles returns the file system's order, and the seed must pick the same fixture everywhere.
    private static readonly string[] FixtureNames = [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures"), "*.json").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    [Fact]
    public void Mutated_fixtures_parse_to_valid_values_or_fail_with_a_manifest_exception()
    {
        var mutator = new JsonMutator(seed: 8);
        var failures = 0;
        for (var i = 0; i < 3_000; i++)
        {
            var name = FixtureNames[i % FixtureNames.Length];
            var input = mutator.Mutate(Fixture.Read(name));
            var declared = mutator.Random.Next(3) == 0 ? null : MediaTypes.AcceptedManifestTypes[mutator.Random.Next(MediaTypes.AcceptedManifestTypes.Count)];
            failures += Check(input, declared, $"mutation {i} of {name}") is null ? 0 : 1;
        }

        // Most mutations break the manifest; a few survive (e.g. changed whitespace or annotation text).
        Assert.InRange(failures, 1_500, 3_000);
    }

    public static TheoryData<string, string, string> Hostile()
    {
        var data = new TheoryData<string, string, string>();
        void Add(string name, string json, string expected) => data.Add(name, json, expected);

        foreach (var size in new[] { "-1", "-9223372036854775808", "9223372036854775807", "1e30", "1.5", "\"10\"", "null", "true", "[]", "{}" })
        {
            Add($"layer size {size}", Image(layer: Layer(size: size)), "'layers[0].size'");
            Add($"config size {size}", Image(config: Descriptor("application/vnd.oci.image.config.v1+json", "sha256:" + Hex, size)), "'config.size'");
        }

        foreach (var digest in new[] { "sha256:", "sha256:" + Hex[..63], "sha256:" + Hex.ToUpperInvariant(), "md5:" + Hex[..32], "../../" + Hex, "sha256:../../../etc/passwd", "sha256:" + Hex + "\\n", Hex, "" })
        {
            Add($"layer digest {digest}", Image(layer: Layer(digest: digest)), "'layers[0].digest'");
            Add($"child digest {digest}", Index(Descriptor(OciManifest, digest, "100")), "'manifests[0].digest'");
        }

        foreach (var mediaType in new[] { "application/x-evil", "text/html", "application/vnd.oci.image.manifest.v2+json", new string('a', 100_000) })
        {
            Add($"manifest media type {mediaType[..Math.Min(30, mediaType.Length)]}", Image(mediaType: mediaType), "media type");
            Add($"child media type {mediaType[..Math.Min(30, mediaType.Length)]}", Index(Descriptor(mediaType, "sha256:" + Hex, "100")), "'manifests[0].mediaType'");
        }

        foreach (var (field, value) in new[] { ("layers", "{}"), ("layers", "\"x\""), ("config", "[]"), ("config", "1"), ("schemaVersion", "\"2\""), ("schemaVersion", "3"), ("annotations", "[]") })
        {
            Add($"{field} as {value}", Image(extra: $",\"{field}\":{value}", drop: field), field);
        }

        Add("over 4 MiB", Image(extra: $",\"annotations\":{{\"pad\":\"{new string('x', ManifestParser.MaxManifestBytes)}\"}}"), "4194304");
        Add("over 4 MiB in UTF-8 only", Image(extra: $",\"annotations\":{{\"pad\":\"{new string('\u00e9', (ManifestParser.MaxManifestBytes / 2) + 1)}\"}}"), "4194304");
        Add("deep nesting", Image(extra: $",\"annotations\":{{\"a\":{new string('[', 5_000)}{new string(']', 5_000)}}}"), "depth");
        Add("escaped lone surrogate in a digest", Image(layer: Layer(digest: "sha256:\\ud800")), "'layers[0].digest' is not valid Unicode");
        Add("escaped lone surrogate in an annotation", Image(extra: ",\"annotations\":{\"k\":\"\\udc00x\"}"), "'annotations.k' is not valid Unicode");
        Add("escaped lone surrogate in an annotation key", Image(extra: ",\"annotations\":{\"\\ud800\":\"v\"}"), "a property name escapes an unpaired surrogate");
        Add("not JSON", "{\"schemaVersion\":2,\"layers\":[", "not valid JSON");
        Add("array root", "[" + Image() + "]", "JSON object");
        Add("string root", "\"" + new string('m', 1_000_000) + "\"", "JSON object");
        return data;
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Hostile_manifests_fail_with_a_message_naming_the_problem(string name, string json, string expected)
    {
        var error = Check(json, null, name);

        Assert.NotNull(error);
        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(error.Message.Length < 1_000, $"{name}: the message should not echo the input ({error.Message.Length} chars)");
    }

    [Fact]
    public void Generated_descriptor_values_parse_to_valid_values_or_fail_cleanly()
    {
        var random = new Random(9);
        string[] sizes = ["0", "1", "10", "-1", "4194305", "9007199254740993", "1e3", "0.0", "-0", "\"1\""];
        string[] digests = ["sha256:" + Hex, "sha512:" + Hex + Hex, "sha256:" + Hex[1..], "SHA256:" + Hex, "sha256:" + Hex + "0", "sha256:g" + Hex[1..], "sha256/" + Hex];
        string[] mediaTypes = ["application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "application/x-unknown", "", "\\u0000"];
        var parsed = 0;
        for (var i = 0; i < 2_000; i++)
        {
            var layers = Enumerable.Range(0, random.Next(1, 4))
                .Select(_ => Descriptor(mediaTypes[random.Next(mediaTypes.Length)], digests[random.Next(digests.Length)], sizes[random.Next(sizes.Length)]));
            parsed += Check(Image(layer: string.Join(',', layers)), null, $"generated {i}") is null ? 1 : 0;
        }

        Assert.InRange(parsed, 1, 1_999);
    }

    /// <summary>Parses; returns the ManifestException, or null after checking every value of the result.</summary>
    private static ManifestException? Check(string input, string? declared, string what)
    {
        try
        {
            var manifest = ManifestParser.Parse(input, declared);
            foreach (var descriptor in manifest.Blobs.Concat(manifest.Manifests))
            {
                Assert.True(EcrNames.IsDigest(descriptor.Digest), $"{what}: parsed an invalid digest");
                Assert.True(descriptor.Size >= 0 || descriptor.Size == Core.Manifests.Descriptor.UnknownSize, $"{what}: parsed a negative size");
            }

            return null;
        }
        catch (ManifestException ex)
        {
            Assert.False(string.IsNullOrWhiteSpace(ex.Message), $"{what}: empty message");
            return ex;
        }
        catch (Exception ex)
        {
            Assert.Fail($"{what}: {ex.GetType().Name} escaped the parser: {ex.Message}");
            throw;
        }
    }

    private static string Descriptor(string mediaType, string digest, string size) =>
        $$"""{"mediaType":"{{mediaType}}","digest":"{{digest}}","size":{{size}}}""";

    private static string Layer(string digest = "sha256:" + Hex, string size = "10") =>
        Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", digest, size);

    private static string Image(string? config = null, string? layer = null, string mediaType = OciManifest, string extra = "", string? drop = null)
    {
        var fields = new List<string> { "\"schemaVersion\":2", $"\"mediaType\":\"{mediaType}\"" };
        if (drop != "config")
        {
            fields.Add($"\"config\":{config ?? Descriptor("application/vnd.oci.image.config.v1+json", "sha256:" + Hex, "10")}");
        }

        if (drop != "layers")
        {
            fields.Add($"\"layers\":[{layer ?? Layer()}]");
        }

        if (drop == "schemaVersion")
        {
            fields.RemoveAt(0);
        }

        return "{" + string.Join(',', fields) + extra + "}";
    }

    private static string Index(string child) =>
        $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{child}}]}""";
}
