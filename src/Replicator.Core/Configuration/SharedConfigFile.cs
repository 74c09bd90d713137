namespace Replicator.Core.Configuration;

/// <summary>
/// Reads one setting of the active profile from the AWS shared config file: <c>AWS_CONFIG_FILE</c>, else
/// <c>~/.aws/config</c>; the profile is <c>AWS_PROFILE</c>, else <c>default</c>; sections are <c>[default]</c>
/// and <c>[profile NAME]</c> (docs.aws.amazon.com/sdkref/latest/guide/file-format.html). A missing or
/// unreadable file has no settings, as in the SDKs.
/// </summary>
public static class SharedConfigFile
{
    public const string ConfigFileVariable = "AWS_CONFIG_FILE";
    public const string ProfileVariable = "AWS_PROFILE";

    /// <summary>The value of <paramref name="key"/> in the active profile, trimmed; null when absent.</summary>
    public static string? Get(IEnvironmentVariables environment, string key)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var path = PathOf(environment);
        if (path is null)
        {
            return null;
        }

        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var profile = environment.GetEnvironmentVariable(ProfileVariable)?.Trim();
        var section = string.IsNullOrEmpty(profile) || profile == "default" ? "default" : $"profile {profile}";
        return Find(lines, section, key);
    }

    internal static string? Find(IEnumerable<string> lines, string section, string key)
    {
        var inSection = false;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                var close = line.IndexOf(']', StringComparison.Ordinal);
                inSection = close > 0 && string.Equals(string.Join(' ', line[1..close].Split(' ', StringSplitOptions.RemoveEmptyEntries)), section, StringComparison.Ordinal);
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (inSection && equals > 0 && !char.IsWhiteSpace(raw[0]) && string.Equals(line[..equals].Trim(), key, StringComparison.OrdinalIgnoreCase))
            {
                return line[(equals + 1)..].Trim();
            }
        }

        return null;
    }

    private static string? PathOf(IEnvironmentVariables environment)
    {
        var configured = environment.GetEnvironmentVariable(ConfigFileVariable)?.Trim();
        if (!string.IsNullOrEmpty(configured))
        {
            return configured.StartsWith("~/", StringComparison.Ordinal) && environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h
                ? Path.Combine(h, configured[2..])
                : configured;
        }

        var home = environment.GetEnvironmentVariable("HOME");
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".aws", "config");
    }
}
