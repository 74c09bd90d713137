using Replicator.Cli.Commands;
using Replicator.Core.Configuration;
using Replicator.Core.Signing;
using Replicator.Function.Enqueue;

namespace Replicator.Cli.Composition;

/// <summary>
/// Everything the CLI takes from its surroundings, so tests run it in-process: the environment (endpoints,
/// region), the two output writers, whether stdout is a terminal, and optional overrides of credentials and the
/// queue sender. Program.cs builds it from the process; tests from an in-memory environment and StringWriters.
/// </summary>
public sealed record CliContext
{
    /// <summary>botocore's older name for <c>AWS_PROFILE</c>, which it reads first (<see cref="CheckActiveProfile"/>).</summary>
    public const string DefaultProfileVariable = "AWS_DEFAULT_PROFILE";

    public required IEnvironmentVariables Environment { get; init; }

    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>True when stdout is an interactive terminal: live progress and colours; else plain lines.</summary>
    public bool IsTerminal { get; init; }

    /// <summary>
    /// True when stderr is not a terminal (<c>2&gt; FILE</c>, a pipe): its notices cannot tear live bars drawn on
    /// stdout's terminal, so they are written as they happen (<see cref="Output.ProgressObserver"/>). False, as when
    /// stderr is the terminal the bars are drawn on, unless the process says otherwise.
    /// </summary>
    public bool ErrorRedirected { get; init; }

    /// <summary>Null: the standard AWS credentials chain.</summary>
    public IAwsCredentialsSource? Credentials { get; init; }

    /// <summary>Null: AWSSDK.SQS with the standard chain and <c>AWS_ENDPOINT_URL_SQS</c>.</summary>
    public Func<string, IMessageSender>? MessageSenderFactory { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// The certificate authorities <see cref="ApplyCaBundle"/> read, which the engine's HttpClient trusts as read
    /// (<see cref="CliServices"/>) instead of parsing the bundle again; null when none is configured or it was not called.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2Collection? TrustedRoots { get; private set; }

    /// <summary>The session token's name in every AWS SDK's environment provider, AWSSDK.Core's included.</summary>
    public const string SessionTokenVariable = "AWS_SESSION_TOKEN";

    /// <summary>boto2's name for the session token, which botocore's environment provider still reads (<see cref="ApplyLegacySessionToken"/>).</summary>
    public const string LegacySessionTokenVariable = "AWS_SECURITY_TOKEN";

    /// <summary>
    /// This context under the named profile of the shared AWS files, as the AWS CLI's <c>--profile</c>: its credentials
    /// (ahead of the environment's keys; an injected <see cref="Credentials"/> stays, as a test's override) and, through
    /// <c>AWS_PROFILE</c>, its region, endpoints and FIPS and dual-stack settings. An unknown profile, or one whose
    /// FIPS or dual-stack setting is neither true nor false, is a <see cref="UsageException"/>.
    /// </summary>
    public CliContext WithProfile(string profileName)
    {
        ArgumentNullException.ThrowIfNull(profileName);
        if (string.IsNullOrWhiteSpace(profileName))
        {
            throw new UsageException("--profile needs the name of a profile of the AWS config or credentials file");
        }

        var environment = new ProfileEnvironment(Environment, profileName);
        var credentials = Credentials ?? ProfileCredentials(environment, profileName, CliApp.ProfileOptionName)!;
        return this with { Environment = environment, Credentials = credentials };
    }

    /// <summary>
    /// Without <c>--profile</c>: the profile <c>AWS_PROFILE</c> names must exist, as the AWS CLI requires even when keys
    /// in the environment win over it for credentials (botocore loads the profile for its region and other settings
    /// and stops with "The config profile (NAME) could not be found", exit 255: docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html).
    /// Checked up front, in the same words as <c>--profile</c>'s, rather than ignored (with keys in the environment) or
    /// left to the SDK's chain (its "Unable to find the profile" at the first call). Nothing is checked when
    /// <see cref="Credentials"/> is injected (a test's override) or no profile is named.
    /// </summary>
    /// <remarks>
    /// <c>AWS_DEFAULT_PROFILE</c>, when set, is the profile instead: botocore reads it ahead of <c>AWS_PROFILE</c>
    /// (botocore/configprovider.py, <c>'profile': (None, ['AWS_DEFAULT_PROFILE', 'AWS_PROFILE'], ...)</c>), so the AWS
    /// CLI uses it. AWSSDK.Core's chain and <see cref="SharedConfigFile"/> read <c>AWS_PROFILE</c> only, and the chain
    /// reads it from the process: the name is written there (through <see cref="Environment"/>), rather than leaving
    /// the command on the <c>default</c> profile, another account's perhaps, while the AWS CLI uses the one named.
    /// Unlike <c>--profile</c>, keys in the environment still win over it, as over <c>AWS_PROFILE</c>.
    /// </remarks>
    public void CheckActiveProfile()
    {
        var chosenBy = ProfileEnvironment.ProfileVariable;
        if (Environment.GetEnvironmentVariable(DefaultProfileVariable)?.Trim() is { Length: > 0 } legacy)
        {
            Environment.SetEnvironmentVariable(ProfileEnvironment.ProfileVariable, legacy);
            chosenBy = DefaultProfileVariable;
        }

        var profileName = Environment.GetEnvironmentVariable(ProfileEnvironment.ProfileVariable)?.Trim();
        if (Credentials is not null || string.IsNullOrEmpty(profileName))
        {
            return;
        }

        // With keys in the environment the profile brings settings only (the keys win, as in every SDK's chain), so
        // its role is not followed; without them it is the chain's credentials, checked as --profile's.
        var environmentKeys = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"))
            && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY"));
        _ = ProfileCredentials(Environment, profileName, chosenBy, environmentKeys);
    }

    /// <summary>
    /// Temporary keys exported with <c>AWS_SECURITY_TOKEN</c> sign with that token, as in the AWS CLI: botocore's
    /// EnvProvider takes the token from either name (botocore/credentials.py, <c>TOKENS = ['AWS_SECURITY_TOKEN',
    /// 'AWS_SESSION_TOKEN']</c>), while AWSSDK.Core reads <c>AWS_SESSION_TOKEN</c> only, so the keys went without their
    /// token and AWS refused them. The value is written to <c>AWS_SESSION_TOKEN</c> (through <see cref="Environment"/>,
    /// the process's) when that is unset or empty, so every AWS SDK client of the command (the ECR signer's chain, STS,
    /// SQS) reads it. When both are set <c>AWS_SESSION_TOKEN</c> is kept: an existing setup signs as before. botocore
    /// tries <c>AWS_SECURITY_TOKEN</c> first, so with two different values the AWS CLI would send the other one.
    /// </summary>
    public void ApplyLegacySessionToken()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(SessionTokenVariable))
            && Environment.GetEnvironmentVariable(LegacySessionTokenVariable) is { Length: > 0 } legacy)
        {
            Environment.SetEnvironmentVariable(SessionTokenVariable, legacy);
        }
    }

    /// <summary>
    /// <c>AWS_CONFIG_FILE</c> and <c>AWS_SHARED_CREDENTIALS_FILE</c> as the AWS CLI reads them: <c>$NAME</c> and
    /// <c>${NAME}</c> are variables and a leading <c>~/</c> is the home directory (botocore's
    /// configloader.raw_config_parse calls os.path.expandvars, then os.path.expanduser, on both paths), as a CI job's
    /// <c>env:</c> block or a .env file leaves them unexpanded. The CLI's own reads (region, endpoints, CA bundle:
    /// <see cref="SharedConfigFile"/>) expand it already; AWSSDK.Core's profile store, which resolves the credentials
    /// (the default chain, <c>--profile</c>, <c>AWS_PROFILE</c>), reads the variables from the process as written and
    /// found no file, so an existing profile was "could not be found". The expanded path is written back (through
    /// <see cref="Environment"/>, the process's) when it differs, before any profile is resolved or client built.
    /// </summary>
    /// <returns>
    /// This context, or when a path was written back one whose reads of that variable still give the value as written:
    /// expanding the written-back path again would turn a <c>$NAME</c> that a variable's value brought in (a directory
    /// literally named so) into that variable's value, where Python expands once.
    /// </returns>
    public CliContext WithSharedFilePaths()
    {
        var asWritten = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in (string[])[SharedConfigFile.ConfigFileVariable, SharedConfigFile.CredentialsFileVariable])
        {
            if (SharedConfigFile.ConfiguredPath(Environment, variable) is { } path
                && Environment.GetEnvironmentVariable(variable) is { } written
                && !string.Equals(path, written, StringComparison.Ordinal))
            {
                Environment.SetEnvironmentVariable(variable, path);
                asWritten[variable] = written;
            }
        }

        return asWritten.Count == 0 ? this : this with { Environment = new SharedFilePathsEnvironment(Environment, asWritten) };
    }

    /// <summary>
    /// The certificate authorities every call of the command trusts, as the AWS CLI chooses them: <c>AWS_CA_BUNDLE</c>,
    /// else the active profile's <c>ca_bundle</c> (<see cref="CaBundle.Resolve"/>). AWSSDK.Core reads the
    /// variable only, from the process, for the STS, SSM and SQS clients (and the STS client of a profile's role), and
    /// the engine's HttpClient reads it from <see cref="Environment"/>: the profile's path is written there (the
    /// process's), so both trust the one bundle rather than AWSSDK's calls failing their TLS handshake behind a
    /// TLS-inspecting proxy that only the AWS CLI passed. Called before any client is built, after the profile is
    /// chosen (<c>--profile</c>, <c>AWS_DEFAULT_PROFILE</c>). The bundle is read here, so one that cannot be read or
    /// holds no certificate is a <see cref="UsageException"/> naming the variable, or the key, its profile and file,
    /// instead of a failure of the first call.
    /// </summary>
    public void ApplyCaBundle()
    {
        TrustedRoots = null;
        try
        {
            // Written for AWSSDK only when it differs from the variable: the key's path, or the variable's with ~/ expanded.
            if (CaBundle.Resolve(Environment) is { } bundle)
            {
                TrustedRoots = CaBundle.Read(bundle.Path, bundle.Setting);
                if (!string.Equals(bundle.Path, Environment.GetEnvironmentVariable(CaBundle.Variable), StringComparison.Ordinal))
                {
                    Environment.SetEnvironmentVariable(CaBundle.Variable, bundle.Path);
                }
            }
        }
        catch (SettingException e)
        {
            throw new UsageException(e.Message);
        }
    }

    // The profile's FIPS and dual-stack settings are read first: AWSSDK.Core's profile store treats a profile whose
    // use_fips_endpoint or use_dualstack_endpoint is not a boolean as absent (TryGetProfile answers false), which
    // would be reported as "could not be found" for a profile that is there. The check names the setting instead,
    // in the words the commands use for it under AWS_PROFILE.
    private static IAwsCredentialsSource? ProfileCredentials(IEnvironmentVariables profiled, string profileName, string chosenBy, bool settingsOnly = false)
    {
        _ = CliServices.EndpointOverridden(profiled);
        try
        {
            if (settingsOnly)
            {
                AwsSdkCredentialsSource.EnsureProfileExists(profileName);
                return null;
            }

            return AwsSdkCredentialsSource.ForProfile(profileName);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"{chosenBy}: {e.Message}");
        }
    }

    public static CliContext FromProcess() => new()
    {
        Environment = ProcessEnvironmentVariables.Instance,
        Out = Console.Out,
        Error = Console.Error,
        IsTerminal = !Console.IsOutputRedirected,
        ErrorRedirected = Console.IsErrorRedirected,
    };
}
