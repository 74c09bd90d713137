using LocalEcr;
using Replicator.Cli.Tests.Support;
using Replicator.Core.Destinations;
using Replicator.Core.Signing;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// The CLI's own credentials come from AWSSDK.Core's default chain, as the AWS CLI's do: here an assumed-role
/// profile (<c>role_arn</c> + <c>source_profile</c>) chosen with <c>AWS_PROFILE</c> from temp config and credentials
/// files, its AssumeRole answered by LocalEcr through <c>AWS_ENDPOINT_URL_STS</c> (AWSSDK.Core gives the STS client
/// it builds for the profile the service-specific endpoint variable, as it does every client:
/// docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html). The chain reads the process environment,
/// not the CLI's <c>IEnvironmentVariables</c>, so the CLI runs as a child process with an environment of its own:
/// no test sees another's variables, and none of the runner's AWS_* variables reach the child.
/// </summary>
public sealed class ProfileCredentialsTests : IDisposable
{
    private const string Operator = "222222222222";

    // The profile's source keys belong to another account than the images: only the role's session can read them.
    private static readonly AwsCredentials OperatorKeys = new("AKIAOPERATOR00000001", "operator-secret-91be4c");

    private readonly string _work = Directory.CreateTempSubdirectory("replicator-profile-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Copy_with_an_assumed_role_profile_chosen_by_AWS_PROFILE_assumes_its_role_and_copies_as_that_role()
    {
        await using var h = await StartAsync();
        var role = $"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator";
        var image = CliHarness.Single(91);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        WriteProfiles(role);

        var run = await RunCliAsync(h, "operator", "copy", "app:v1", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([role], h.Server.Calls.AssumedRoles);
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "app", "v1"));
        Assert.DoesNotContain(OperatorKeys.SecretAccessKey, run.Output + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_AWS_PROFILE_the_default_profile_is_used_and_its_unknown_key_is_refused()
    {
        await using var h = await StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(92), "v1");
        WriteProfiles($"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator");

        var run = await RunCliAsync(h, profile: null, "verify", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("UnrecognizedClientException", run.Error, StringComparison.Ordinal);
        Assert.Empty(h.Server.Calls.AssumedRoles);
    }

    [Fact]
    public async Task A_profile_role_STS_refuses_is_a_clear_error_naming_the_role()
    {
        await using var h = await StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(93), "v1");
        const string unknown = "arn:aws:iam::999999999999:role/replicator-operator";
        WriteProfiles(unknown);

        var run = await RunCliAsync(h, "operator", "copy", "app:v1", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains($"Error calling AssumeRole for role {unknown}", run.Error, StringComparison.Ordinal);
        Assert.Empty(h.Server.Calls.AssumedRoles);
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    /// <summary>
    /// <c>--profile</c> chooses the profile as the AWS CLI's does: ahead of <c>AWS_PROFILE</c> and of keys in the
    /// environment (both of which LocalEcr does not know here), its region the source region when none is given, and
    /// written before the command or after it.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_profile_flag_wins_over_AWS_PROFILE_and_environment_keys_and_brings_its_region(bool beforeCommand)
    {
        await using var h = await StartAsync();
        var role = $"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator";
        var image = CliHarness.Single(94);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        WriteProfiles(role, defaultRegion: "eu-central-1");
        string[] copy = ["copy", "app:v1", "--destination-region", CliHarness.West];
        string[] flag = ["--profile", "operator"];

        var run = await RunCliAsync(
            h,
            "default",
            beforeCommand ? [.. flag, .. copy] : [.. copy, .. flag],
            new() { ["AWS_ACCESS_KEY_ID"] = "AKIAENVIRONMENT00001", ["AWS_SECRET_ACCESS_KEY"] = "environment-secret" });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([role], h.Server.Calls.AssumedRoles);
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "app", "v1"));
    }

    /// <summary>
    /// <c>AWS_CONFIG_FILE</c> and <c>AWS_SHARED_CREDENTIALS_FILE</c> written with a leading <c>~/</c>, as a CI job's
    /// <c>env:</c> block or a .env file leaves them (no shell expands the tilde there), name files in the home directory,
    /// as the AWS CLI reads them (botocore's configloader.raw_config_parse expands the user's home in both paths). The
    /// CLI read its region from them so, while AWSSDK.Core's profile store, which takes the paths as written, found no
    /// file: "The config profile (operator) could not be found" for a profile that is there, whether it is chosen by
    /// <c>--profile</c>, by <c>AWS_PROFILE</c>, or is the default chain's <c>default</c>.
    /// </summary>
    /// <remarks>
    /// The same for <c>$HOME/</c> and <c>${HOME}/</c>, which botocore expands too (os.path.expandvars, before the tilde).
    /// </remarks>
    [Theory]
    [InlineData("flag", "~/")]
    [InlineData("variable", "~/")]
    [InlineData("default", "~/")]
    [InlineData("flag", "$HOME/")]
    [InlineData("variable", "${HOME}/")]
    public async Task Shared_files_named_from_the_home_directory_with_a_tilde_are_read_for_credentials_as_for_the_region(string chosenBy, string home)
    {
        await using var h = await StartAsync();
        var role = $"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator";
        var image = CliHarness.Single(95);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        WriteProfiles(role);
        if (chosenBy == "default")
        {
            // The default profile signs with the operator's keys, which LocalEcr knows as account 222222222222: the
            // copy then reads a registry without the image, so it is the listing that proves the keys were read.
            File.WriteAllText(Path.Combine(_work, "credentials"), $"[default]\naws_access_key_id = {OperatorKeys.AccessKeyId}\naws_secret_access_key = {OperatorKeys.SecretAccessKey}\n");
        }

        string[] copy = ["copy", "app:v1", "--destination-region", CliHarness.West];
        var run = await RunCliAsync(
            h,
            chosenBy == "variable" ? "operator" : null,
            chosenBy == "flag" ? [.. copy, "--profile", "operator"] : copy,
            new() { ["AWS_CONFIG_FILE"] = home + "config", ["AWS_SHARED_CREDENTIALS_FILE"] = home + "credentials" });

        if (chosenBy == "default")
        {
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Equal("error: app:v1 does not exist in us-east-1", run.Error.Trim());
            return;
        }

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([role], h.Server.Calls.AssumedRoles);
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "app", "v1"));
    }

    /// <summary>
    /// A shared file's path is expanded once, as botocore's <c>os.path.expandvars</c> does, also where a variable's value
    /// brings in a <c>$NAME</c> of its own (here a directory literally named <c>a$X</c>, with <c>X</c> set). The CLI
    /// writes the expanded path back for AWSSDK.Core's profile store, and its own reads (the region, from the config
    /// file) expanded that again, into a directory that does not exist: the credentials were found, the region not.
    /// The same whether the profile is chosen by AWS_PROFILE or by --profile, whose context is built on the one the
    /// paths were written back from.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_shared_file_path_is_expanded_once_even_when_its_expansion_holds_a_dollar_name(bool flag)
    {
        await using var h = await StartAsync();
        var role = $"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator";
        var image = CliHarness.Single(96);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        WriteProfiles(role);
        var files = Directory.CreateDirectory(Path.Combine(_work, "a$X")).FullName;
        foreach (var name in (string[])["config", "credentials"])
        {
            File.Move(Path.Combine(_work, name), Path.Combine(files, name));
        }

        string[] copy = ["copy", "app:v1", "--destination-region", CliHarness.West];
        var run = await RunCliAsync(
            h,
            flag ? null : "operator",
            flag ? [.. copy, "--profile", "operator"] : copy,
            new()
            {
                ["FILES"] = files,
                ["X"] = "elsewhere",
                ["AWS_CONFIG_FILE"] = "$FILES/config",
                ["AWS_SHARED_CREDENTIALS_FILE"] = "${FILES}/credentials",
            });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([role], h.Server.Calls.AssumedRoles);
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "app", "v1"));
    }

    [Fact]
    public async Task An_unknown_profile_is_a_usage_error_naming_it_before_any_call()
    {
        await using var h = await StartAsync();
        WriteProfiles($"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator");

        var run = await VerifyWithProfileAsync(h, "nope");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("error: --profile: The config profile (nope) could not be found", run.Error.Trim());
        Assert.Equal(0, h.Server.Calls.Total);
    }

    [Fact]
    public async Task A_profile_that_holds_no_credentials_is_an_error_naming_the_profile_not_the_general_advice()
    {
        await using var h = await StartAsync();
        WriteProfiles($"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator");
        File.AppendAllText(Path.Combine(_work, "config"), $"\n\n[profile region-only]\nregion = {CliHarness.Source}\n");

        var run = await RunCliAsync(h, profile: null, "verify", "--profile", "region-only", "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("from the config profile (region-only): it holds no keys, role, process or SSO settings", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("no AWS credentials found", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// AWSSDK.Core's profile store takes a profile whose FIPS or dual-stack setting is not a boolean for absent; the
    /// CLI names the setting, under --profile as under AWS_PROFILE (CLI README, Environment), not "could not be found".
    /// </summary>
    [Theory]
    [InlineData("use_fips_endpoint = maybe", "use_fips_endpoint", true)]
    [InlineData("use_fips_endpoint = maybe", "use_fips_endpoint", false)]
    [InlineData("use_dualstack_endpoint = yes", "use_dualstack_endpoint", true)]
    [InlineData("use_dualstack_endpoint = yes", "use_dualstack_endpoint", false)]
    public async Task A_profile_whose_endpoint_flag_is_not_a_boolean_is_a_usage_error_naming_the_setting(string setting, string key, bool flag)
    {
        await using var h = await StartAsync();
        WriteProfiles($"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator");
        File.AppendAllText(Path.Combine(_work, "config"), $"\n\n[profile badflag]\nregion = {CliHarness.Source}\n{setting}\n");
        string[] verify = ["verify", "--destination-region", CliHarness.West];

        var run = await RunCliAsync(h, flag ? null : "badflag", flag ? [.. verify, "--profile", "badflag"] : verify, []);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal($"error: {key} in the shared config file must be true or false, not '{setting.Split('=')[1].Trim()}'", run.Error.Trim());
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// The AWS_PROFILE check reads the config file once expanded too, as the region is read: from a directory literally
    /// named <c>a$X</c> (with <c>X</c> set), the setting that is not a boolean is named, rather than the path expanded a
    /// second time into no file and the profile then reported "could not be found" by AWSSDK.Core's store.
    /// </summary>
    [Fact]
    public async Task AWS_PROFILEs_check_reads_a_config_file_path_holding_a_dollar_name_expanded_once()
    {
        await using var h = await StartAsync();
        WriteProfiles($"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator");
        File.AppendAllText(Path.Combine(_work, "config"), $"\n\n[profile badflag]\nregion = {CliHarness.Source}\nuse_fips_endpoint = maybe\n");
        var files = Directory.CreateDirectory(Path.Combine(_work, "a$X")).FullName;
        File.Move(Path.Combine(_work, "config"), Path.Combine(files, "config"));

        var run = await RunCliAsync(
            h,
            "badflag",
            ["verify", "--destination-region", CliHarness.West],
            new() { ["FILES"] = files, ["X"] = "elsewhere", ["AWS_CONFIG_FILE"] = "$FILES/config" });

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("error: use_fips_endpoint in the shared config file must be true or false, not 'maybe'", run.Error.Trim());
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// AWS_PROFILE naming no profile stops the command as the AWS CLI stops (botocore's ProfileNotFound, even when keys
    /// in the environment would sign: it loads the profile for its region and settings), in --profile's words and
    /// naming the variable: never ignored, and never the SDK's own "Unable to find the profile" at the first call.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_AWS_PROFILE_that_does_not_exist_is_a_usage_error_naming_it_with_or_without_keys_in_the_environment(bool environmentKeys)
    {
        await using var h = await StartAsync();
        WriteProfiles($"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator");
        Dictionary<string, string> keys = environmentKeys
            ? new() { ["AWS_ACCESS_KEY_ID"] = CliHarness.AccessKey, ["AWS_SECRET_ACCESS_KEY"] = CliHarness.SecretKey }
            : [];

        var run = await RunCliAsync(h, "missing", ["verify", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West], keys);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("error: AWS_PROFILE: The config profile (missing) could not be found", run.Error.Trim());
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// A role profile whose source_profile does not exist: AWSSDK.Core finds out at the first call and reports an
    /// unrelated cause under "Error calling AssumeRole"; the CLI refuses before any call in botocore's words.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_role_profile_whose_source_profile_does_not_exist_is_a_usage_error_naming_both(bool flag)
    {
        await using var h = await StartAsync();
        WriteProfiles($"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator");
        File.AppendAllText(Path.Combine(_work, "config"), $"\n\n[profile rolep]\nrole_arn = arn:aws:iam::{h.Server.AccountId}:role/replicator-operator\nsource_profile = missingsrc\nregion = {CliHarness.Source}\n");
        string[] verify = ["verify", "--destination-region", CliHarness.West];

        var run = await RunCliAsync(h, flag ? null : "rolep", flag ? ["--profile", "rolep", .. verify] : verify, []);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(
            $"error: {(flag ? "--profile" : "AWS_PROFILE")}: The source_profile \"missingsrc\" referenced in the profile \"rolep\" does not exist.",
            run.Error.Trim());
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// One of the two environment keys alone (the other unset in that shell) is no pair of keys: every SDK's environment
    /// provider needs both, so AWS_PROFILE's profile is still the chain's credentials and is checked in full, its missing
    /// source_profile named before any call, not only checked to exist as beside keys that would sign.
    /// </summary>
    [Theory]
    [InlineData("AWS_ACCESS_KEY_ID")]
    [InlineData("AWS_SECRET_ACCESS_KEY")]
    public async Task One_environment_key_without_the_other_leaves_AWS_PROFILE_the_credentials_checked_in_full(string alone)
    {
        await using var h = await StartAsync();
        WriteProfiles($"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator");
        File.AppendAllText(Path.Combine(_work, "config"), $"\n\n[profile rolep]\nrole_arn = arn:aws:iam::{h.Server.AccountId}:role/replicator-operator\nsource_profile = missingsrc\nregion = {CliHarness.Source}\n");
        var key = alone == "AWS_ACCESS_KEY_ID" ? CliHarness.AccessKey : CliHarness.SecretKey;

        var run = await RunCliAsync(h, "rolep", ["verify", "--destination-region", CliHarness.West], new() { [alone] = key });

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("error: AWS_PROFILE: The source_profile \"missingsrc\" referenced in the profile \"rolep\" does not exist.", run.Error.Trim());
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// A role profile with mfa_serial: the AWS CLI prompts for the code; this command never prompts, and says so before
    /// any call, naming the profile and the setting (AWSSDK.Core's own message, at the first call, names its
    /// MfaTokenCodeCallback API; through the default chain, "This type of profile is not allowed here").
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_role_profile_with_mfa_serial_is_a_usage_error_naming_the_unsupported_prompt(bool flag)
    {
        await using var h = await StartAsync();
        var role = $"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator";
        WriteProfiles(role);
        File.AppendAllText(Path.Combine(_work, "config"), $"\n\n[profile mfa]\nrole_arn = {role}\nsource_profile = operator-keys\nmfa_serial = arn:aws:iam::{Operator}:mfa/operator\nregion = {CliHarness.Source}\n");
        string[] verify = ["verify", "--destination-region", CliHarness.West];

        var run = await RunCliAsync(h, flag ? null : "mfa", flag ? ["--profile", "mfa", .. verify] : verify, []);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(
            $"error: {(flag ? "--profile" : "AWS_PROFILE")}: The profile \"mfa\" assumes role {role} with mfa_serial, and replicator cannot prompt for an MFA code: "
            + "run it with the keys the AWS CLI resolves (AWS CLI v2: eval \"$(aws configure export-credentials --profile mfa --format env)\"), or choose a profile without mfa_serial.",
            run.Error.Trim());
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>An mfa_serial further down the chain (the source profile's role) is refused as well.</summary>
    [Fact]
    public async Task A_role_profile_whose_source_profile_needs_an_MFA_code_is_a_usage_error()
    {
        await using var h = await StartAsync();
        var role = $"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator";
        WriteProfiles(role);
        File.AppendAllText(Path.Combine(_work, "config"), $"\n\n[profile outer]\nrole_arn = {role}\nsource_profile = inner\n\n[profile inner]\nrole_arn = {role}\nsource_profile = operator-keys\nmfa_serial = arn:aws:iam::{Operator}:mfa/operator\n");

        var run = await VerifyWithProfileAsync(h, "outer");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: --profile: The profile \"inner\" assumes role", run.Error.Trim(), StringComparison.Ordinal);
        Assert.Contains("--profile outer --format env", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// A loop of source profiles: botocore refuses it before any call (InfiniteLoopConfigError); AWSSDK.Core calls STS
    /// and reports "Error calling AssumeRole" with whatever that call met.
    /// </summary>
    [Fact]
    public async Task A_loop_of_source_profiles_is_a_usage_error_in_botocores_words_before_any_call()
    {
        await using var h = await StartAsync();
        var role = $"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator";
        WriteProfiles(role);
        File.AppendAllText(Path.Combine(_work, "config"), $"\n\n[profile cyc1]\nrole_arn = {role}\nsource_profile = cyc2\n\n[profile cyc2]\nrole_arn = {role}\nsource_profile = cyc1\n");

        var run = await VerifyWithProfileAsync(h, "cyc1");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(
            "error: --profile: Infinite loop in credential configuration detected. Attempting to load from profile cyc1 which has already been visited. Visited profiles: cyc1, cyc2",
            run.Error.Trim());
        Assert.Equal(0, h.Server.Calls.Total);
        Assert.Empty(h.Server.Calls.AssumedRoles);
    }

    /// <summary>
    /// A profile that is its own source_profile, holding the keys that assume its role: botocore allows it
    /// (_validate_source_profile); AWSSDK.Core finds no credentials in it. The error says what to change, not that the
    /// profile "holds no keys, role, process or SSO settings".
    /// </summary>
    [Fact]
    public async Task A_profile_that_is_its_own_source_profile_is_a_usage_error_saying_what_to_change()
    {
        await using var h = await StartAsync();
        var role = $"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator";
        WriteProfiles(role);
        File.AppendAllText(Path.Combine(_work, "config"), $"\n\n[profile selfref]\nrole_arn = {role}\nsource_profile = selfref\naws_access_key_id = {OperatorKeys.AccessKeyId}\naws_secret_access_key = {OperatorKeys.SecretAccessKey}\n");

        var run = await VerifyWithProfileAsync(h, "selfref");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: --profile: The profile \"selfref\" is its own source_profile", run.Error.Trim(), StringComparison.Ordinal);
        Assert.Contains("name that profile in source_profile", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(OperatorKeys.SecretAccessKey, run.Error, StringComparison.Ordinal);
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// A source_profile that holds keys and also settings of a role (the keys in the credentials file, the settings in
    /// the config file, as <c>aws configure</c> writes them). botocore stops the chain at a source profile with static
    /// keys and signs the AssumeRole with them, ignoring its role_arn, source_profile, mfa_serial and the rest
    /// (botocore/credentials.py, AssumeRoleProvider._resolve_credentials_from_profile), so the AWS CLI accepts all these.
    /// AWSSDK.Core finds no credentials in such a profile and calls AssumeRole with none ("Error calling AssumeRole"
    /// and an unrelated cause, without reaching STS). Before, the CLI followed the source profile's own role instead,
    /// refusing a missing source_profile or an mfa_serial there that neither botocore nor the SDK ever reads, or
    /// passing the profile to the SDK. Now it refuses the profile up front and says what to change.
    /// </summary>
    [Theory]
    [InlineData("role_arn = ROLE\nsource_profile = missingsrc\n", "role_arn, source_profile")]
    [InlineData("role_arn = ROLE\nsource_profile = operator-keys\nmfa_serial = arn:aws:iam::222222222222:mfa/operator\n", "role_arn, source_profile, mfa_serial")]
    [InlineData("mfa_serial = arn:aws:iam::222222222222:mfa/operator\n", "mfa_serial")]
    [InlineData("role_arn = ROLE\ncredential_source = Environment\n", "role_arn, credential_source")]
    [InlineData("external_id = replicator\nrole_session_name = operator\n", "external_id, role_session_name")]
    public async Task A_source_profile_with_keys_and_role_settings_is_a_usage_error_saying_what_to_change(string settings, string named)
    {
        await using var h = await StartAsync();
        var role = $"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator";
        WriteProfiles(role);
        File.AppendAllText(Path.Combine(_work, "config"), $"\n\n[profile outer]\nrole_arn = {role}\nsource_profile = keyed\n\n[profile keyed]\n{settings.Replace("ROLE", role, StringComparison.Ordinal)}");
        AddOperatorKeys("keyed");

        var run = await VerifyWithProfileAsync(h, "outer");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(
            $"error: --profile: The source_profile \"keyed\" of the profile \"outer\" holds keys and also {named}, which the AWS CLI accepts "
            + $"(it assumes {role} with those keys and ignores the rest) but the AWS SDK for .NET does not (it finds no credentials in that profile): "
            + "move aws_access_key_id and aws_secret_access_key to a profile of their own and name that profile in source_profile, or remove "
            + $"{named} from \"keyed\".",
            run.Error.Trim());
        Assert.DoesNotContain(OperatorKeys.SecretAccessKey, run.Output + run.Error, StringComparison.Ordinal);
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// The same mix in the profile given itself: keys beside a role's settings. botocore assumes the role with the
    /// source_profile's credentials (or, with no role, signs with the keys); AWSSDK.Core finds no credentials in it, and
    /// the CLI said the profile "holds no keys, role, process or SSO settings", which it plainly does.
    /// </summary>
    [Theory]
    [InlineData("role_arn = ROLE\nsource_profile = operator-keys\n", "role_arn, source_profile")]
    [InlineData("mfa_serial = arn:aws:iam::222222222222:mfa/operator\n", "mfa_serial")]
    public async Task A_profile_with_keys_and_role_settings_is_a_usage_error_saying_what_to_change(string settings, string named)
    {
        await using var h = await StartAsync();
        var role = $"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator";
        WriteProfiles(role);
        File.AppendAllText(Path.Combine(_work, "config"), $"\n\n[profile mixed]\n{settings.Replace("ROLE", role, StringComparison.Ordinal)}");
        AddOperatorKeys("mixed");

        var run = await VerifyWithProfileAsync(h, "mixed");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(
            $"error: --profile: The profile \"mixed\" holds keys and also {named}, which the AWS CLI accepts but the AWS SDK for .NET does not (it finds no credentials in that profile): "
            + $"move aws_access_key_id and aws_secret_access_key to a profile of their own (named in source_profile to assume a role with them), or remove {named} from \"mixed\".",
            run.Error.Trim());
        Assert.DoesNotContain(OperatorKeys.SecretAccessKey, run.Output + run.Error, StringComparison.Ordinal);
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// Keys beside a role's settings in a profile that also signs in with IAM Identity Center (keys left in the
    /// credentials file from before <c>aws configure sso</c>, say). AWSSDK.Core resolves any profile with an SSO setting
    /// by SSO, whatever else it holds (aws/aws-sdk-net, CredentialProfileTypeDetector.DetectProfileType: "If one or more
    /// of the SSO properties is present, the profile MUST be resolved by the SSO credential provider"), and so does the
    /// AWS CLI with no role_arn (botocore's SSO provider comes before the shared credentials file). The CLI took it
    /// before, and asked for a token; the check of keys beside a role's settings then refused it, saying the SDK finds
    /// no credentials in it.
    /// </summary>
    [Theory]
    [InlineData("sso_start_url = https://example.awsapps.com/start\nsso_region = REGION\nsso_account_id = 222222222222\nsso_role_name = Operator\nmfa_serial = arn:aws:iam::222222222222:mfa/operator\n")]
    [InlineData("sso_session = corp-session\nsso_account_id = 222222222222\nsso_role_name = Operator\nrole_session_name = operator\n\n[sso-session corp-session]\nsso_start_url = https://example.awsapps.com/start\nsso_region = REGION\nsso_registration_scopes = sso:account:access\n")]
    public async Task A_profile_with_SSO_settings_beside_keys_and_role_settings_signs_in_with_SSO_and_is_not_refused(string settings)
    {
        await using var h = await StartAsync();
        WriteProfiles($"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator");
        File.AppendAllText(Path.Combine(_work, "config"), $"\n\n[profile ssokeys]\n{settings.Replace("REGION", CliHarness.Source, StringComparison.Ordinal)}");
        AddOperatorKeys("ssokeys");

        var run = await VerifyWithProfileAsync(h, "ssokeys");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("the profile \"ssokeys\" signs in with IAM Identity Center (SSO) and holds no valid token; sign in with aws sso login --profile ssokeys,", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("holds keys and also", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// The same mix as a role profile's source_profile: AWSSDK.Core resolves that source by SSO, so the chain ends
    /// there and its token is what is missing, not a refusal saying the SDK finds no credentials in it.
    /// </summary>
    [Fact]
    public async Task A_source_profile_with_SSO_settings_beside_keys_and_role_settings_asks_for_its_SSO_sign_in()
    {
        await using var h = await StartAsync();
        var role = $"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator";
        WriteProfiles(role);
        File.AppendAllText(Path.Combine(_work, "config"), $"\n\n[profile outer]\nrole_arn = {role}\nsource_profile = ssokeyed\n\n[profile ssokeyed]\nsso_start_url = https://example.awsapps.com/start\nsso_region = {CliHarness.Source}\nsso_account_id = 222222222222\nsso_role_name = Operator\nmfa_serial = arn:aws:iam::222222222222:mfa/operator\n");
        AddOperatorKeys("ssokeyed");

        var run = await VerifyWithProfileAsync(h, "outer");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("the profile \"ssokeyed\" signs in with IAM Identity Center (SSO) and holds no valid token; sign in with aws sso login --profile ssokeyed,", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("holds keys and also", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(OperatorKeys.SecretAccessKey, run.Output + run.Error, StringComparison.Ordinal);
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// An SSO profile whose user has not signed in (no token in the AWS CLI's cache): the error says to run
    /// aws sso login for the profile that holds the SSO settings, before any call, under --profile (AWSSDK.Core: "No
    /// valid SSO Token could be found."), under AWS_PROFILE (AWSSDK.Core: "This type of profile is not allowed here"),
    /// and at the end of a role profile's chain.
    /// </summary>
    [Theory]
    [InlineData("--profile", "corp")]
    [InlineData("AWS_PROFILE", "corp")]
    [InlineData("--profile", "corp-role")]
    public async Task An_SSO_profile_without_a_token_is_an_error_saying_to_sign_in_with_aws_sso_login(string chosenBy, string profile)
    {
        await using var h = await StartAsync();
        var role = $"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator";
        WriteProfiles(role);
        File.AppendAllText(Path.Combine(_work, "config"), $"""


            [profile corp]
            sso_session = corp-session
            sso_account_id = {Operator}
            sso_role_name = Operator
            region = {CliHarness.Source}

            [profile corp-role]
            role_arn = {role}
            source_profile = corp
            region = {CliHarness.Source}

            [sso-session corp-session]
            sso_start_url = https://example.awsapps.com/start
            sso_region = {CliHarness.Source}
            sso_registration_scopes = sso:account:access
            """);
        string[] verify = ["verify", "--destination-region", CliHarness.West];

        var run = await RunCliAsync(h, chosenBy == "AWS_PROFILE" ? profile : null, chosenBy == "AWS_PROFILE" ? verify : [.. verify, "--profile", profile], []);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("the profile \"corp\" signs in with IAM Identity Center (SSO) and holds no valid token; sign in with aws sso login --profile corp,", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not allowed here", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// AWS_DEFAULT_PROFILE chooses the profile as in the AWS CLI, ahead of AWS_PROFILE (botocore's configprovider reads
    /// it first): its role signs and its region is the source region. Before, the command ignored it and signed with
    /// the default profile, whose key LocalEcr does not know.
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("default")]
    public async Task AWS_DEFAULT_PROFILE_chooses_the_profile_ahead_of_AWS_PROFILE_as_in_the_AWS_CLI(string? awsProfile)
    {
        await using var h = await StartAsync();
        var role = $"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator";
        var image = CliHarness.Single(96);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        WriteProfiles(role, defaultRegion: "eu-central-1");

        var run = await RunCliAsync(h, awsProfile, ["copy", "app:v1", "--destination-region", CliHarness.West], new() { ["AWS_DEFAULT_PROFILE"] = "operator" });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([role], h.Server.Calls.AssumedRoles);
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "app", "v1"));
    }

    [Fact]
    public async Task An_AWS_DEFAULT_PROFILE_that_does_not_exist_is_a_usage_error_naming_it()
    {
        await using var h = await StartAsync();
        WriteProfiles($"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator");

        var run = await RunCliAsync(h, "operator", ["verify", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West], new() { ["AWS_DEFAULT_PROFILE"] = "missing" });

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("error: AWS_DEFAULT_PROFILE: The config profile (missing) could not be found", run.Error.Trim());
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// Temporary keys exported with the legacy <c>AWS_SECURITY_TOKEN</c> (boto2's name, which botocore's EnvProvider still
    /// reads: botocore/credentials.py, <c>TOKENS = ['AWS_SECURITY_TOKEN', 'AWS_SESSION_TOKEN']</c>) sign with their
    /// token, as in the AWS CLI. AWSSDK.Core reads <c>AWS_SESSION_TOKEN</c> only: before, the keys of LocalEcr's STS
    /// session went without their token and were refused (UnrecognizedClientException). With both set,
    /// <c>AWS_SESSION_TOKEN</c> wins (the bogus legacy value here is never sent).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Temporary_keys_with_the_legacy_AWS_SECURITY_TOKEN_sign_with_it_and_AWS_SESSION_TOKEN_wins_when_both_are_set(bool both)
    {
        await using var h = await StartAsync();
        var role = $"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator";
        var image = CliHarness.Single(97);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        WriteProfiles(role);
        var sts = new StsSecurityTokenService(DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_STS"] = h.Server.BaseAddress.ToString() }));
        var session = (await sts.AssumeRoleAsync(role, null, CliHarness.Source, new StaticCredentialsSource(OperatorKeys), CancellationToken.None)).Credentials;
        Dictionary<string, string> keys = new()
        {
            ["AWS_ACCESS_KEY_ID"] = session.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = session.SecretAccessKey,
            ["AWS_SECURITY_TOKEN"] = both ? "IQoJb3JpZ2luX2VjEstale-legacy-token" : session.SessionToken!,
        };
        if (both)
        {
            keys["AWS_SESSION_TOKEN"] = session.SessionToken!;
        }

        var run = await RunCliAsync(h, profile: null, ["copy", "app:v1", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West], keys);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "app", "v1"));
        Assert.DoesNotContain(session.SecretAccessKey, run.Output + run.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A profile whose keys come from <c>credential_process</c>: a process printing version 1 of the JSON signs the
    /// copy; one printing another version is an error that says so. AWSSDK.Core reports that version with a format
    /// string given no argument, so its own words are a FormatException's "Index (zero based) must be ...", which
    /// names neither; botocore: "Unsupported version '2' for credential process provider, supported versions: 1".
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_credential_process_profile_signs_with_version_1_and_another_version_is_an_error_naming_it(int version)
    {
        await using var h = await StartAsync();
        var image = CliHarness.Single(93);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        var process = Path.Combine(_work, "print-keys");
        File.WriteAllText(process, $$"""
            echo '{"Version": {{version}}, "AccessKeyId": "{{CliHarness.AccessKey}}", "SecretAccessKey": "{{CliHarness.SecretKey}}"}'
            """.ReplaceLineEndings("\n"));
        WriteProfiles($"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator");
        File.AppendAllText(Path.Combine(_work, "config"), $"\n\n[profile from-process]\ncredential_process = /bin/sh {process}\nregion = {CliHarness.Source}\n");

        var pushCalls = h.Server.Calls.Total;

        var run = await RunCliAsync(h, profile: null, "copy", "app:v1", "--profile", "from-process", "--destination-region", CliHarness.West);

        if (version == 1)
        {
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "app", "v1"));
            return;
        }

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("ProcessAWSCredentialException: the profile's credential_process printed a \"Version\" other than 1", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Index (zero based)", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(CliHarness.SecretKey, run.Output + run.Error, StringComparison.Ordinal);
        Assert.Equal(pushCalls, h.Server.Calls.Total);
    }

    /// <summary>
    /// Behind a TLS-inspecting proxy (a TLS front of a private root before LocalEcr, for ECR and STS alike), the
    /// profile's <c>ca_bundle</c> naming the proxy's root is trusted by every call, as by the AWS CLI: AWSSDK's STS
    /// client assuming the profile's role and the engine's ECR calls. AWSSDK.Core reads only <c>AWS_CA_BUNDLE</c>, from
    /// the process, so the CLI writes the key's path there; before, the key was not read and the AssumeRole call failed
    /// its TLS handshake.
    /// </summary>
    [Fact]
    public async Task A_profiles_ca_bundle_is_trusted_by_the_STS_call_of_its_role_and_by_the_ECR_calls()
    {
        await using var h = await StartAsync();
        await using var proxy = TlsFront.Start(h.Server.BaseAddress.Port);
        var role = $"arn:aws:iam::{h.Server.AccountId}:role/replicator-operator";
        var image = CliHarness.Single(98);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        WriteProfiles(role);
        var bundle = Path.Combine(_work, "proxy-root.pem");
        File.WriteAllText(bundle, proxy.RootPem);

        // [profile operator] is the config file's last section.
        File.AppendAllText(Path.Combine(_work, "config"), $"\nca_bundle = {bundle}\n");

        var run = await RunCliAsync(
            h,
            profile: null,
            ["copy", "app:v1", "--profile", "operator", "--destination-region", CliHarness.West],
            new() { ["AWS_ENDPOINT_URL_ECR"] = proxy.Endpoint.ToString(), ["AWS_ENDPOINT_URL_STS"] = proxy.Endpoint.ToString() });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([role], h.Server.Calls.AssumedRoles);
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "app", "v1"));
    }

    private static Task<CliHarness> StartAsync() => CliHarness.StartAsync(null, options =>
        options.OtherAccounts.Add(new LocalEcrAccount(Operator, OperatorKeys.AccessKeyId, OperatorKeys.SecretAccessKey)));

    // The files as `aws configure` writes them: keys in credentials, the role profile in config
    // (docs.aws.amazon.com/cli/latest/userguide/cli-configure-role.html).
    /// <summary>The operator's keys under <paramref name="profile"/> in the credentials file, as <c>aws configure</c> writes them.</summary>
    private void AddOperatorKeys(string profile) =>
        File.AppendAllText(Path.Combine(_work, "credentials"), $"\n\n[{profile}]\naws_access_key_id = {OperatorKeys.AccessKeyId}\naws_secret_access_key = {OperatorKeys.SecretAccessKey}\n");

    /// <summary><c>replicator verify --profile PROFILE</c> from the source region to the west one: the command every profile check runs.</summary>
    private Task<ProcessRun> VerifyWithProfileAsync(CliHarness h, string profile) =>
        RunCliAsync(h, profile: null, "verify", "--profile", profile, "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

    private void WriteProfiles(string roleArn, string defaultRegion = CliHarness.Source)
    {
        File.WriteAllText(Path.Combine(_work, "config"), $"""
            [default]
            region = {defaultRegion}

            [profile operator]
            role_arn = {roleArn}
            source_profile = operator-keys
            region = {CliHarness.Source}
            """);
        File.WriteAllText(Path.Combine(_work, "credentials"), $"""
            [default]
            aws_access_key_id = AKIANOTKNOWNHERE0001
            aws_secret_access_key = not-a-key-localecr-knows

            [operator-keys]
            aws_access_key_id = {OperatorKeys.AccessKeyId}
            aws_secret_access_key = {OperatorKeys.SecretAccessKey}
            """);
    }

    private Task<ProcessRun> RunCliAsync(CliHarness h, string? profile, params string[] args) => RunCliAsync(h, profile, args, []);

    private Task<ProcessRun> RunCliAsync(CliHarness h, string? profile, string[] args, Dictionary<string, string> extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["AWS_CONFIG_FILE"] = Path.Combine(_work, "config"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_work, "credentials"),
            ["AWS_ENDPOINT_URL_ECR"] = h.Server.BaseAddress.ToString(),
            ["AWS_ENDPOINT_URL_STS"] = h.Server.BaseAddress.ToString(),
            // The chain's last links (container and instance metadata) must not be tried, nor a real ~/.aws read.
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["HOME"] = _work,
            ["NO_COLOR"] = "1",
        };
        if (profile is not null)
        {
            environment["AWS_PROFILE"] = profile;
        }

        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        return ProcessRun.RunAsync("dotnet", [BuildOutput.ProjectFile("src", "Replicator.Cli", "replicator.dll"), .. args], _work, environment, ProcessRun.InheritedAwsVariables());
    }
}
