using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace LocalEcr.Storage;

internal static partial class Digests
{
    /// <summary>The model's pattern for ImageDigest and LayerDigest.</summary>
    [GeneratedRegex("^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+\\z")]
    private static partial Regex DigestPattern();

    [GeneratedRegex("^sha256:[a-f0-9]{64}\\z")]
    private static partial Regex Sha256Pattern();

    public static bool IsWellFormed(string? digest) => digest is not null && DigestPattern().IsMatch(digest);

    public static bool IsSha256(string? digest) => digest is not null && Sha256Pattern().IsMatch(digest);

    public static string Sha256Of(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
