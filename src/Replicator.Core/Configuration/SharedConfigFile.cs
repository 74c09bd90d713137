namespace Replicator.Core.Configuration;

/// <summary>
/// Reads one setting of the active profile from the AWS shared config file: <c>AWS_CONFIG_FILE</c>, else
/// <c>~/.aws/config</c> (<see cref="HomeDirectory"/>); the profile is <c>AWS_PROFILE</c>, else <c>default</c>; sections are <c>[default]</c>
/// (or <c>[profile default]</c>: <see cref="NamedSection"/>) and <c>[profile NAME]</c> (docs.aws.amazon.com/sdkref/latest/guide/file-format.html). The profile's section of the
/// shared credentials file (<c>AWS_SHARED_CREDENTIALS_FILE</c>, else <c>~/.aws/credentials</c>; sections <c>[NAME]</c>)
/// is read too and wins, as the AWS CLI reads it: botocore's <c>Session.full_config</c> merges each credentials-file
/// profile over the config file's, so a <c>region</c> kept beside the keys is the CLI's region. A missing or
/// unreadable file has no settings, as in the SDKs; a file the AWS CLI cannot parse is refused with the line that
/// makes it so (<see cref="SharedConfigDocument"/>), as every AWS CLI command refuses it.
/// </summary>
public static class SharedConfigFile
{
    public const string ConfigFileVariable = "AWS_CONFIG_FILE";
    public const string CredentialsFileVariable = "AWS_SHARED_CREDENTIALS_FILE";
    public const string ProfileVariable = "AWS_PROFILE";

    /// <summary>
    /// The value of <paramref name="key"/> in the active profile, trimmed; null when absent. A value continued on deeper
    /// indented lines is those lines joined with <c>\n</c>, as botocore gives it.
    /// </summary>
    public static string? Get(IEnvironmentVariables environment, string key) => Lookup(environment, key)?.Value;

    /// <summary>
    /// The value of <paramref name="key"/> in the active profile and where it was found ("the shared credentials file"
    /// or "the shared config file"), for a message naming the setting; null when absent.
    /// </summary>
    public static (string Value, string Where)? Lookup(IEnvironmentVariables environment, string key) => Lookup(environment, key, OperatingSystem.IsWindows());

    internal static string? Get(IEnvironmentVariables environment, string key, bool windows) => Lookup(environment, key, windows)?.Value;

    internal static (string Value, string Where)? Lookup(IEnvironmentVariables environment, string key, bool windows) =>
        Locate(environment, key, windows) is { } found ? (found.Value, found.Where) : null;

    /// <summary>
    /// As <see cref="Lookup(IEnvironmentVariables, string)"/>, with the path of the file that holds the value and the
    /// profile's name, for a message that names both.
    /// </summary>
    internal static (string Value, string Where, string File, string Profile)? Locate(IEnvironmentVariables environment, string key, bool windows)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var profile = environment.GetEnvironmentVariable(ProfileVariable)?.Trim();
        var name = string.IsNullOrEmpty(profile) ? "default" : profile;
        var credentialsPath = PathOf(environment, windows, CredentialsFileVariable, "credentials");
        if (Read(credentialsPath, CredentialsFile) is { } credentials
            && CredentialsSection(credentials, name) is { } section
            && credentials.Value(section, key) is { } fromCredentials)
        {
            return (fromCredentials, CredentialsFile, credentialsPath!, name);
        }

        var configPath = PathOf(environment, windows);
        return Read(configPath, ConfigFile) is { } config && NamedSection(config, "profile", name) is { } profileSection && config.Value(profileSection, key) is { } fromConfig
            ? (fromConfig, ConfigFile, configPath!, name)
            : null;
    }

    private const string ConfigFile = "the shared config file";
    private const string CredentialsFile = "the shared credentials file";

    /// <summary>
    /// The credentials file's section of profile <paramref name="name"/>: the section named exactly so, as botocore looks a
    /// profile up there (credentials.py, <c>SharedCredentialProvider</c>; <c>Session.full_config</c>), never
    /// <c>[DEFAULT]</c>, which configparser does not list as a section (nor <see cref="SharedConfigDocument.Headers"/>).
    /// </summary>
    private static string? CredentialsSection(SharedConfigDocument credentials, string name) =>
        credentials.Headers.Contains(name, StringComparer.Ordinal) ? name : null;

    /// <summary>
    /// The config file's section of profile (<paramref name="kind"/> <c>profile</c>) or services section
    /// (<c>services</c>) <paramref name="name"/>, as botocore maps section names (configloader.py,
    /// <c>build_profile_map</c>): a name starting with the kind whose shell words (<c>shlex.split</c>) are two, the second
    /// being <paramref name="name"/> (<c>[profile ops]</c>, <c>[profile  ops]</c>, <c>[profile "my ops"]</c>); for
    /// profile <c>default</c>, also the section named exactly <c>default</c>. When several sections name it, the one
    /// furthest down the file replaces the others whole, as there. Null when none does.
    /// </summary>
    internal static string? NamedSection(SharedConfigDocument config, string kind, string name)
    {
        string? found = null;
        foreach (var header in config.Headers)
        {
            var names = header.StartsWith(kind, StringComparison.Ordinal)
                ? SharedConfigDocument.ShellWords(header) is [_, var second] && second == name
                : kind == "profile" && header == "default" && name == "default";
            if (names)
            {
                found = header;
            }
        }

        return found;
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
        ArgumentNullException.ThrowIfNull(services);
        return Read(PathOf(environment, OperatingSystem.IsWindows()), ConfigFile) is { } config && NamedSection(config, "services", services.Trim()) is { } section
            ? FindNested(config, section, service, key)
            : null;
    }

    /// <summary>
    /// True when the shared config file has a <c>[services NAME]</c> section with at least one setting: botocore keeps
    /// such a section only when it holds one (an empty one reads as missing, configprovider.py _get_services_config).
    /// </summary>
    public static bool HasServicesSection(IEnvironmentVariables environment, string services)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(services);
        return Read(PathOf(environment, OperatingSystem.IsWindows()), ConfigFile) is { } config
            && NamedSection(config, "services", services.Trim()) is { } section
            && config.HasSettings(section);
    }

    /// <summary>
    /// Sub-setting <paramref name="key"/> of <paramref name="parent"/> in <paramref name="section"/>: the key is matched
    /// as written, as botocore looks it up in the dictionary <c>_parse_nested</c> makes (the parent, a key of the file,
    /// in lower case as configparser keeps every key).
    /// </summary>
    internal static string? FindNested(SharedConfigDocument config, string section, string parent, string key) =>
        config.Value(section, parent) is { } value ? SharedConfigDocument.Nested(value).LastOrDefault(s => s.Name == key).Value : null;

    /// <summary>The file parsed, or null when it is missing or unreadable; a file botocore cannot parse is refused.</summary>
    private static SharedConfigDocument? Read(string? path, string which)
    {
        // Usually absent (a Lambda environment has neither file): asked without the cost of an exception.
        if (path is null || !File.Exists(path))
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

        return SharedConfigDocument.Parse(lines, $"{which} {path}");
    }

    /// <summary>
    /// The file <paramref name="variable"/> (<see cref="ConfigFileVariable"/> or <see cref="CredentialsFileVariable"/>)
    /// names, as this class reads it: trimmed, its <c>$NAME</c> and <c>${NAME}</c> (and on Windows <c>%NAME%</c>) expanded
    /// (<see cref="PathVariables.Expand"/>),
    /// then a leading <c>~/</c> the home directory (<see cref="ExpandHome"/>); null
    /// when the variable is unset or blank. AWSSDK.Core's profile store takes the variable as written, so a caller that
    /// has it read the files too writes this back, and reads the variable as written itself so that it is expanded once
    /// (Replicator.Cli's <c>CliContext.WithSharedFilePaths</c>).
    /// </summary>
    public static string? ConfiguredPath(IEnvironmentVariables environment, string variable)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentException.ThrowIfNullOrEmpty(variable);
        var configured = environment.GetEnvironmentVariable(variable)?.Trim();
        return string.IsNullOrEmpty(configured) ? null : Expand(environment, configured, OperatingSystem.IsWindows());
    }

    /// <summary>
    /// <c>AWS_CONFIG_FILE</c> (its variables expanded, then a leading <c>~/</c>, or <c>~\</c> on Windows, the home directory), else
    /// <c>.aws/config</c> in the home directory; null when there is no home directory.
    /// </summary>
    internal static string? PathOf(IEnvironmentVariables environment, bool windows) => PathOf(environment, windows, ConfigFileVariable, "config");

    /// <summary>The file <paramref name="variable"/> names (as <see cref="PathOf(IEnvironmentVariables, bool)"/>), else <c>.aws/NAME</c> in the home directory.</summary>
    internal static string? PathOf(IEnvironmentVariables environment, bool windows, string variable, string defaultName)
    {
        var configured = environment.GetEnvironmentVariable(variable)?.Trim();
        if (!string.IsNullOrEmpty(configured))
        {
            return Expand(environment, configured, windows);
        }

        var home = HomeDirectory(environment, windows);
        return home is null ? null : Path.Combine(home, ".aws", defaultName);
    }

    /// <summary>
    /// A shared file's path as botocore's <c>configloader.raw_config_parse</c> opens both files: <c>os.path.expandvars</c>,
    /// then <c>os.path.expanduser</c>, so <c>AWS_CONFIG_FILE=$HOME/.aws/ci-config</c> from a .env file or a CI job's
    /// <c>env:</c> block, which no shell expanded, names the file the AWS CLI reads.
    /// </summary>
    private static string Expand(IEnvironmentVariables environment, string path, bool windows) =>
        ExpandHome(environment, PathVariables.Expand(environment, path, windows), windows);

    /// <summary>
    /// <paramref name="path"/> with a leading <c>~/</c> (or <c>~\</c> on Windows) replaced by the home directory
    /// (<see cref="HomeDirectory"/>), as Python's <c>os.path.expanduser</c> does where the AWS CLI reads a path
    /// (botocore's configloader.py for <c>AWS_CONFIG_FILE</c>, urllib3's connection.py for the CA bundle); unchanged
    /// otherwise, or when there is no home directory.
    /// </summary>
    internal static string ExpandHome(IEnvironmentVariables environment, string path, bool windows)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(path);
        var tilde = path.StartsWith("~/", StringComparison.Ordinal) || (windows && path.StartsWith("~\\", StringComparison.Ordinal));
        return tilde && HomeDirectory(environment, windows) is { } home ? Path.Combine(home, path[2..]) : path;
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
