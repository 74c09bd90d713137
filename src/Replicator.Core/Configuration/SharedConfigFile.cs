namespace Replicator.Core.Configuration;

/// <summary>
/// Reads one setting of the active profile from the AWS shared config file: <c>AWS_CONFIG_FILE</c>, else
/// <c>~/.aws/config</c> (<see cref="HomeDirectory"/>); the profile is <c>AWS_PROFILE</c>, else <c>default</c>; sections are <c>[default]</c>
/// (or <c>[profile default]</c>: <see cref="ProfileSection"/>) and <c>[profile NAME]</c> (docs.aws.amazon.com/sdkref/latest/guide/file-format.html). The profile's section of the
/// shared credentials file (<c>AWS_SHARED_CREDENTIALS_FILE</c>, else <c>~/.aws/credentials</c>; sections <c>[NAME]</c>)
/// is read too and wins, as the AWS CLI reads it: botocore's <c>Session.full_config</c> merges each credentials-file
/// profile over the config file's, so a <c>region</c> kept beside the keys is the CLI's region. A missing or
/// unreadable file has no settings, as in the SDKs.
/// </summary>
public static class SharedConfigFile
{
    public const string ConfigFileVariable = "AWS_CONFIG_FILE";
    public const string CredentialsFileVariable = "AWS_SHARED_CREDENTIALS_FILE";
    public const string ProfileVariable = "AWS_PROFILE";

    /// <summary>The value of <paramref name="key"/> in the active profile, trimmed; null when absent.</summary>
    public static string? Get(IEnvironmentVariables environment, string key) => Lookup(environment, key)?.Value;

    /// <summary>
    /// The value of <paramref name="key"/> in the active profile and where it was found ("the shared credentials file"
    /// or "the shared config file"), for a message naming the setting; null when absent.
    /// </summary>
    public static (string Value, string Where)? Lookup(IEnvironmentVariables environment, string key) => Lookup(environment, key, OperatingSystem.IsWindows());

    internal static string? Get(IEnvironmentVariables environment, string key, bool windows) => Lookup(environment, key, windows)?.Value;

    internal static (string Value, string Where)? Lookup(IEnvironmentVariables environment, string key, bool windows)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var profile = environment.GetEnvironmentVariable(ProfileVariable)?.Trim();
        var name = string.IsNullOrEmpty(profile) ? "default" : profile;
        if (Lines(PathOf(environment, windows, CredentialsFileVariable, "credentials")) is { } credentials && Find(credentials, name, key) is { } fromCredentials)
        {
            return (fromCredentials, "the shared credentials file");
        }

        return Lines(PathOf(environment, windows)) is { } config && Find(config, ProfileSection(config, name), key) is { } fromConfig
            ? (fromConfig, "the shared config file")
            : null;
    }

    /// <summary>
    /// The config file's section of profile <paramref name="name"/>: <c>[profile NAME]</c>; for <c>default</c>, either
    /// <c>[default]</c> or <c>[profile default]</c>, as botocore reads both (configloader.build_profile_map), the one
    /// further down the file replacing the other whole, as there.
    /// </summary>
    internal static string ProfileSection(IEnumerable<string> lines, string name)
    {
        if (name != "default")
        {
            return $"profile {name}";
        }

        var section = "default";
        foreach (var header in Headers(lines))
        {
            if (header is "default" or "profile default")
            {
                section = header;
            }
        }

        return section;
    }

    // Each section header's words joined by one space, as Settings compares them.
    private static IEnumerable<string> Headers(IEnumerable<string> lines)
    {
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            var close = line.IndexOf(']', StringComparison.Ordinal);
            if (line.Length > 0 && line[0] == '[' && close > 0)
            {
                yield return string.Join(' ', line[1..close].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }
        }
    }

    /// <summary>
    /// A setting nested under a service in a <c>[services NAME]</c> section of the shared config file, where a service
    /// key with an empty value opens indented sub-settings (docs.aws.amazon.com/sdkref/latest/guide/file-format.html,
    /// "Format of the config file", services section):
    /// <code>
    /// [services local]
    /// ecr =
    ///   endpoint_url = http://localhost:4566
    /// </code>
    /// </summary>
    public static string? GetService(IEnvironmentVariables environment, string services, string service, string key)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return Lines(PathOf(environment, OperatingSystem.IsWindows())) is { } lines ? FindNested(lines, $"services {services.Trim()}", service, key) : null;
    }

    /// <summary>
    /// True when the shared config file has a <c>[services NAME]</c> section with at least one setting: botocore keeps
    /// such a section only when it holds one (an empty one reads as missing, configprovider.py _get_services_config).
    /// </summary>
    public static bool HasServicesSection(IEnvironmentVariables environment, string services)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(services);
        return Lines(PathOf(environment, OperatingSystem.IsWindows())) is { } lines && Settings(lines, $"services {services.Trim()}").Any();
    }

    internal static string? FindNested(IEnumerable<string> lines, string section, string parent, string key)
    {
        var inParent = false;
        foreach (var (name, value, nested) in Settings(lines, section))
        {
            if (!nested)
            {
                // A top-level key: the parent opens its nested block only with an empty value.
                inParent = string.Equals(name, parent, StringComparison.OrdinalIgnoreCase) && value.Length == 0;
            }
            else if (inParent && string.Equals(name, key, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    private static string[]? Lines(string? path)
    {
        // Usually absent (a Lambda environment has neither file): asked without the cost of an exception.
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The value of <paramref name="key"/> in <paramref name="section"/>, else in the file's <c>[DEFAULT]</c> section
    /// when <paramref name="section"/> exists: Python's configparser, which botocore reads both files with, gives every
    /// section the keys of its default section that it does not set itself
    /// (https://docs.python.org/3/library/configparser.html, "default_section"), so the AWS CLI takes a
    /// <c>use_fips_endpoint = true</c> written under <c>[DEFAULT]</c> as every profile's.
    /// </summary>
    internal static string? Find(IEnumerable<string> lines, string section, string key) =>
        Own(lines, section, key) ?? (section != DefaultSection && Headers(lines).Contains(section, StringComparer.Ordinal) ? Own(lines, DefaultSection, key) : null);

    // configparser's default_section, matched case-sensitively as its section names are.
    private const string DefaultSection = "DEFAULT";

    private static string? Own(IEnumerable<string> lines, string section, string key) =>
        Settings(lines, section).FirstOrDefault(e => !e.Nested && string.Equals(e.Name, key, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>
    /// The <c>name = value</c> (or <c>name: value</c>) lines of <paramref name="section"/> (its header's words joined by
    /// one space), trimmed, each marked nested when indented deeper than the key line above it; comments and blank lines
    /// skipped. This is how the AWS CLI reads the file: botocore parses it with Python's configparser
    /// (botocore/configloader.py, raw_config_parse), which takes '=' and ':' alike as the separator and reads a line as
    /// the continuation of the key above only when it is indented deeper than that key; botocore then parses such a
    /// continuation as the key's sub-settings (_parse_nested) when the key's own value is empty (<c>s3 =</c>,
    /// <c>ecr =</c>). So a profile whose keys are all indented (<c>  region = eu-west-3</c>) has them as its own
    /// settings, not as nested ones. Under a key that has a value, botocore makes the continuation part of that value
    /// (a region of two lines, which the AWS CLI then refuses); here the value is its first line, and the continuation
    /// is skipped as a sub-setting.
    /// </summary>
    private static IEnumerable<(string Name, string Value, bool Nested)> Settings(IEnumerable<string> lines, string section)
    {
        var inSection = false;

        // The indentation of the last key line of the section, while one may take continuation lines.
        int? keyIndent = null;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            var indent = raw.Length - raw.TrimStart().Length;
            var nested = keyIndent is { } above && indent > above;
            if (line[0] == '[' && !nested)
            {
                var close = line.IndexOf(']', StringComparison.Ordinal);
                inSection = close > 0 && string.Equals(string.Join(' ', line[1..close].Split(' ', StringSplitOptions.RemoveEmptyEntries)), section, StringComparison.Ordinal);
                keyIndent = null;
                continue;
            }

            // A sub-setting takes '=' only, as botocore's _parse_nested splits it.
            var separator = nested ? line.IndexOf('=', StringComparison.Ordinal) : line.IndexOfAny(['=', ':']);
            if (separator <= 0)
            {
                continue;
            }

            if (!nested)
            {
                keyIndent = indent;
            }

            if (inSection)
            {
                yield return (line[..separator].Trim(), line[(separator + 1)..].Trim(), nested);
            }
        }
    }

    /// <summary>
    /// <c>AWS_CONFIG_FILE</c> (a leading <c>~/</c>, or <c>~\</c> on Windows, is the home directory), else
    /// <c>.aws/config</c> in the home directory; null when there is no home directory.
    /// </summary>
    internal static string? PathOf(IEnvironmentVariables environment, bool windows) => PathOf(environment, windows, ConfigFileVariable, "config");

    /// <summary>The file <paramref name="variable"/> names (as <see cref="PathOf(IEnvironmentVariables, bool)"/>), else <c>.aws/NAME</c> in the home directory.</summary>
    internal static string? PathOf(IEnvironmentVariables environment, bool windows, string variable, string defaultName)
    {
        var configured = environment.GetEnvironmentVariable(variable)?.Trim();
        if (!string.IsNullOrEmpty(configured))
        {
            var tilde = configured.StartsWith("~/", StringComparison.Ordinal) || (windows && configured.StartsWith("~\\", StringComparison.Ordinal));
            return tilde && HomeDirectory(environment, windows) is { } h ? Path.Combine(h, configured[2..]) : configured;
        }

        var home = HomeDirectory(environment, windows);
        return home is null ? null : Path.Combine(home, ".aws", defaultName);
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
