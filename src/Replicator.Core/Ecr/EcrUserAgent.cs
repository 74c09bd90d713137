using System.Reflection;

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
    public static string Version { get; } = ReadVersion();

    public static string Value { get; } = $"{Product}/{Version}";

    private static string ReadVersion()
    {
        var informational = typeof(EcrUserAgent).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var version = string.IsNullOrWhiteSpace(informational) ? typeof(EcrUserAgent).Assembly.GetName().Version?.ToString(3) : informational;
        var plus = version?.IndexOf('+', StringComparison.Ordinal) ?? -1;
        return plus > 0 ? version![..plus] : version ?? "0.0.0";
    }
}
