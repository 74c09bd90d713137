namespace Replicator.Core.Ecr;

/// <summary>
/// The User-Agent of every ECR request, <c>ecr-replicator/VERSION</c>: CloudTrail records it as
/// <c>userAgent</c>, so the replicator's calls can be told apart from people's and other tools'
/// (docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
/// </summary>
public static class EcrUserAgent
{
    public const string Product = "ecr-replicator";

    /// <summary>The product version (Directory.Build.props), without the build metadata the SDK appends after '+'.</summary>
    public static string Version { get; } = FromInformationalVersion(ProductVersion.Informational, ProductVersion.Assembly);

    public static string Value { get; } = $"{Product}/{Version}";

    /// <summary>
    /// The version from the assembly's InformationalVersion and version, which the build compiles in as constants
    /// (Replicator.Core.csproj, <c>WriteProductVersionSource</c>) rather than have them read back from the assembly's
    /// attributes by reflection at the first ECR client: the informational version up to its '+', or the assembly
    /// version's first three parts when it is empty.
    /// </summary>
    internal static string FromInformationalVersion(string? informational, string? assemblyVersion)
    {
        var version = string.IsNullOrWhiteSpace(informational) ? AssemblyVersionText(assemblyVersion) : informational;
        var plus = version?.IndexOf('+', StringComparison.Ordinal) ?? -1;
        return plus > 0 ? version![..plus] : version ?? "0.0.0";
    }

    // As AssemblyName.Version.ToString(3) gives it: the runtime's version has every part, absent ones 0.
    private static string? AssemblyVersionText(string? assemblyVersion) =>
        System.Version.TryParse(assemblyVersion, out var parsed)
            ? new System.Version(parsed.Major, parsed.Minor, Math.Max(parsed.Build, 0)).ToString(3)
            : null;
}
