namespace Replicator.Core.Configuration;

/// <summary>
/// Reads one setting of the active profile from the AWS shared config file: <c>AWS_CONFIG_FILE</c>, else
/// <c>~/.aws/config</c> (<see cref="HomeDirectory"/>); the profile is <c>AWS_PROFILE</c>, else <c>default</c>; sections are <c>[default]</c>
/// and <c>[profile NAME]</c> (docs.aws.amazon.com/sdkref/latest/guide/file-format.html). A missing or
/// unreadable file has no settings, as in the SDKs.
/// </summary>
public static class SharedConfigFile
{
    public const string ConfigFileVariable = "AWS_CONFIG_FILE";
    public const string ProfileVariable = "AWS_PROFILE";

    /// <summary>The value of <paramref name="key"/> in the active profile, trimmed; null when absent.</summary>
    public static string? Get(IEnvironmentVariables environment, string key) => Get(environment, key, OperatingSystem.IsWindows());

    internal static string? Get(IEnvironmentVariables environment, string key, bool windows)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var path = PathOf(environment, windows);
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

    /// <summary>
    /// <c>AWS_CONFIG_FILE</c> (a leading <c>~/</c>, or <c>~\</c> on Windows, is the home directory), else
    /// <c>.aws/config</c> in the home directory; null when there is no home directory.
    /// </summary>
    internal static string? PathOf(IEnvironmentVariables environment, bool windows)
    {
        var configured = environment.GetEnvironmentVariable(ConfigFileVariable)?.Trim();
        if (!string.IsNullOrEmpty(configured))
        {
            var tilde = configured.StartsWith("~/", StringComparison.Ordinal) || (windows && configured.StartsWith("~\\", StringComparison.Ordinal));
            return tilde && HomeDirectory(environment, windows) is { } h ? Path.Combine(h, configured[2..]) : configured;
        }

        var home = HomeDirectory(environment, windows);
        return home is null ? null : Path.Combine(home, ".aws", "config");
    }

    /// <summary>
    /// The SDKs' home directory: <c>HOME</c>, else on Windows <c>USERPROFILE</c>, else <c>HOMEDRIVE</c> and
    /// <c>HOMEPATH</c> ("Home directory resolution", docs.aws.amazon.com/sdkref/latest/guide/file-location.html).
    /// Windows does not set <c>HOME</c>, so without this a Windows user's profile region was never read.
    /// </summary>
    internal static string? HomeDirectory(IEnvironmentVariables environment, bool windows)
    {
        if (Given(environment.GetEnvironmentVariable("HOME")) is { } home)
        {
            return home;
        }

        if (!windows)
        {
            return null;
        }

        return Given(environment.GetEnvironmentVariable("USERPROFILE"))
            ?? (Given(environment.GetEnvironmentVariable("HOMEDRIVE")) is { } drive && Given(environment.GetEnvironmentVariable("HOMEPATH")) is { } path
                ? drive + path
                : null);
    }

    private static string? Given(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
