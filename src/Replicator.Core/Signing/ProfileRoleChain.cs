using Amazon.Runtime.CredentialManagement;

namespace Replicator.Core.Signing;

/// <summary>
/// The shared config and credentials files' profiles as the CLI takes them
/// (<see cref="AwsSdkCredentialsSource.ForProfile"/>): the profile named, and the <c>source_profile</c> chain of its role
/// checked before any call, so that what AWSSDK.Core would only report at the first call, in words that do not name the
/// cause, is said up front. Reads the files only.
/// </summary>
internal static class ProfileRoleChain
{
    /// <summary>The profile <paramref name="profileName"/>, or an <see cref="ArgumentException"/> in botocore's words.</summary>
    public static CredentialProfile Find(CredentialProfileStoreChain profiles, string profileName) =>
        profiles.TryGetProfile(profileName, out var profile)
            ? profile

            // botocore's ProfileNotFound: "The config profile (NAME) could not be found".
            : throw new ArgumentException($"The config profile ({profileName}) could not be found");

    /// <summary>
    /// Follows the role profiles from <paramref name="profile"/> down its <c>source_profile</c> chain, as botocore's
    /// AssumeRoleProvider validates it before any call (botocore/credentials.py, <c>_validate_source_profile</c>), and
    /// refuses up front, in botocore's words where it has them, what AWSSDK.Core would only report at the first call in
    /// words that do not name the cause:
    /// <list type="bullet">
    /// <item>a <c>source_profile</c> that does not exist (the SDK: "Error calling AssumeRole" with an unrelated cause);</item>
    /// <item>a loop of profiles (the SDK: "Error calling AssumeRole", after trying STS);</item>
    /// <item>a profile that names itself as its <c>source_profile</c> to sign with its own keys, which botocore allows
    /// and the SDK does not (it reports that the profile "holds no keys, role, process or SSO settings");</item>
    /// <item>a role with <c>mfa_serial</c>: the AWS CLI prompts for the code
    /// (docs.aws.amazon.com/cli/latest/userguide/cli-configure-role.html#cli-configure-role-mfa); this command never
    /// prompts, and the SDK's own message names its MfaTokenCodeCallback API, not the setting;</item>
    /// <item>a source profile that holds keys and also settings of a role (<c>role_arn</c>, <c>source_profile</c>,
    /// <c>mfa_serial</c>, ...). botocore stops the chain there and signs the AssumeRole with those keys, never reading
    /// the rest (botocore/credentials.py, AssumeRoleProvider._resolve_credentials_from_profile: static keys come
    /// before the profile's own role), so the AWS CLI accepts it; the SDK finds no credentials in such a profile and
    /// calls AssumeRole with none (observed: "Error calling AssumeRole" and an unrelated cause, STS never reached).
    /// The chain is therefore never followed past a source profile with keys: its own role, missing
    /// <c>source_profile</c> or <c>mfa_serial</c> is not what is wrong with it.</item>
    /// </list>
    /// Only a profile with <c>role_arn</c> reads its <c>source_profile</c>, as in botocore.
    /// </summary>
    /// <returns>The profile at the end of the chain, whose own settings (keys, SSO, process, credential_source) sign.</returns>
    public static CredentialProfile Check(CredentialProfileStoreChain profiles, CredentialProfile profile)
    {
        var visited = new List<string> { profile.Name };

        // The same mix in the profile named itself (its own source_profile aside, refused below in its own words): botocore
        // assumes its role with its source_profile's credentials, or signs with its keys when it has no role; the SDK
        // finds no credentials in it and would report that the profile holds none. Not a profile with an SSO setting: the
        // SDK resolves that one by SSO whatever else it holds (aws/aws-sdk-net, CredentialProfileTypeDetector.DetectProfileType),
        // as the CLI took it before this check.
        if (HasStaticKeys(profile) && RoleSettings(profile) is { Count: > 0 } own && !HasSsoSettings(profile)
            && !string.Equals(profile.Options.SourceProfile, profile.Name, StringComparison.Ordinal))
        {
            var named = string.Join(", ", own);
            throw new ArgumentException(
                $"The profile \"{profile.Name}\" holds keys and also {named}, which the AWS CLI accepts but the AWS SDK for .NET does not (it finds no credentials in that profile): "
                + $"move aws_access_key_id and aws_secret_access_key to a profile of their own (named in source_profile to assume a role with them), or remove {named} from \"{profile.Name}\".");
        }

        while (profile.Options.RoleArn is { Length: > 0 } role)
        {
            if (profile.Options.MfaSerial is { Length: > 0 })
            {
                throw new ArgumentException(
                    $"The profile \"{profile.Name}\" assumes role {role} with mfa_serial, and replicator cannot prompt for an MFA code: "
                    + $"run it with the keys the AWS CLI resolves (AWS CLI v2: eval \"$(aws configure export-credentials --profile {visited[0]} --format env)\"), or choose a profile without mfa_serial.");
            }

            if (profile.Options.SourceProfile is not { Length: > 0 } source)
            {
                return profile;
            }

            if (string.Equals(source, profile.Name, StringComparison.Ordinal) && !string.IsNullOrEmpty(profile.Options.AccessKey))
            {
                throw new ArgumentException(
                    $"The profile \"{profile.Name}\" is its own source_profile, to assume its role with the keys it holds, which the AWS CLI allows but the AWS SDK for .NET does not: "
                    + $"move aws_access_key_id and aws_secret_access_key to a profile of their own and name that profile in source_profile.");
            }

            if (visited.Contains(source))
            {
                // botocore's InfiniteLoopConfigError.
                throw new ArgumentException(
                    $"Infinite loop in credential configuration detected. Attempting to load from profile {source} which has already been visited. Visited profiles: {string.Join(", ", visited)}");
            }

            if (!profiles.TryGetProfile(source, out var sourceProfile))
            {
                // botocore's InvalidConfigError.
                throw new ArgumentException($"The source_profile \"{source}\" referenced in the profile \"{profile.Name}\" does not exist.");
            }

            if (HasSsoSettings(sourceProfile))
            {
                // AWSSDK.Core resolves a profile with any SSO setting by SSO, whatever else it holds (its keys, a role of
                // its own): the chain ends there for the SDK, and its token is the one to ask for.
                return sourceProfile;
            }

            if (HasStaticKeys(sourceProfile) && RoleSettings(sourceProfile) is { Count: > 0 } settings)
            {
                var named = string.Join(", ", settings);
                throw new ArgumentException(
                    $"The source_profile \"{source}\" of the profile \"{profile.Name}\" holds keys and also {named}, which the AWS CLI accepts "
                    + $"(it assumes {role} with those keys and ignores the rest) but the AWS SDK for .NET does not (it finds no credentials in that profile): "
                    + $"move aws_access_key_id and aws_secret_access_key to a profile of their own and name that profile in source_profile, or remove {named} from \"{source}\".");
            }

            visited.Add(source);
            profile = sourceProfile;
        }

        return profile;
    }

    // botocore's AssumeRoleProvider._has_static_credentials: either key counts.
    private static bool HasStaticKeys(CredentialProfile profile) =>
        !string.IsNullOrEmpty(profile.Options.AccessKey) || !string.IsNullOrEmpty(profile.Options.SecretKey);

    // AWSSDK.Core's CredentialProfileTypeDetector.DetectProfileType: "If one or more of the SSO properties is present,
    // the profile MUST be resolved by the SSO credential provider" (sso_session brings its section's region, start URL and
    // scopes into the profile's options).
    private static bool HasSsoSettings(CredentialProfile profile)
    {
        var options = profile.Options;
        return !string.IsNullOrEmpty(options.SsoAccountId) || !string.IsNullOrEmpty(options.SsoRegion)
            || !string.IsNullOrEmpty(options.SsoRegistrationScopes) || !string.IsNullOrEmpty(options.SsoRoleName)
            || !string.IsNullOrEmpty(options.SsoStartUrl) || !string.IsNullOrEmpty(options.SsoSession);
    }

    // The settings of a role that AWSSDK.Core does not take alongside keys: with any of them, a profile with keys is of no
    // type it knows (observed with AWSSDK.Core 4.0.102 and 4.1.1: TryGetAWSCredentials fails on it, and a role sourced
    // from it calls AssumeRole with no credentials). A region or other non-credential setting does not matter.
    private static List<string> RoleSettings(CredentialProfile profile)
    {
        var options = profile.Options;
        var settings = new List<string>();
        foreach (var (name, value) in (ReadOnlySpan<(string, string?)>)[
            ("role_arn", options.RoleArn),
            ("source_profile", options.SourceProfile),
            ("credential_source", options.CredentialSource),
            ("mfa_serial", options.MfaSerial),
            ("external_id", options.ExternalID),
            ("role_session_name", options.RoleSessionName)])
        {
            if (!string.IsNullOrEmpty(value))
            {
                settings.Add(name);
            }
        }

        return settings;
    }
}
