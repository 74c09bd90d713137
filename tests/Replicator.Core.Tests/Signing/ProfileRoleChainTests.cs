using Amazon.Runtime.CredentialManagement;
using Replicator.Core.Signing;

namespace Replicator.Core.Tests.Signing;

/// <summary>
/// The up-front check of a profile and its role chain, on a credentials file of the test's own (the CLI's tests run it
/// end to end in a child process; these pin it in-process, and the part botocore decides by either key alone).
/// </summary>
public sealed class ProfileRoleChainTests : IDisposable
{
    // A directory of the test's own, so that no other file of the shared temporary directory can be read with it.
    private readonly string _directory = Directory.CreateTempSubdirectory("prc-").FullName;
    private readonly string _file;

    public ProfileRoleChainTests() => _file = Path.Combine(_directory, "credentials");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// botocore counts a profile as holding keys when either key is there (AssumeRoleProvider._has_static_credentials,
    /// "any" of aws_access_key_id and aws_secret_access_key), and AWSSDK.Core finds no credentials in a profile with one
    /// key and a role's settings, as in one with both: refused up front, naming the settings.
    /// </summary>
    [Theory]
    [InlineData("aws_access_key_id = AKIAEXAMPLEEXAMPLE12")]
    [InlineData("aws_secret_access_key = secretsecretsecretsecretsecretsecret1234")]
    public void A_profile_with_one_key_beside_role_settings_is_refused_as_one_with_both(string key)
    {
        File.WriteAllText(_file, $"""
            [mixed]
            {key}
            role_arn = arn:aws:iam::123456789012:role/replicator-operator
            source_profile = base

            [base]
            aws_access_key_id = AKIAEXAMPLEEXAMPLE34
            aws_secret_access_key = secretsecretsecretsecretsecretsecret5678
            """);
        var profiles = new CredentialProfileStoreChain(_file);

        var refused = Assert.Throws<ArgumentException>(() => ProfileRoleChain.Check(profiles, ProfileRoleChain.Find(profiles, "mixed")));

        Assert.StartsWith("The profile \"mixed\" holds keys and also role_arn, source_profile, which the AWS CLI accepts", refused.Message, StringComparison.Ordinal);
        Assert.Equal("base", ProfileRoleChain.Check(profiles, ProfileRoleChain.Find(profiles, "base")).Name);
    }

    private const string Role = "arn:aws:iam::123456789012:role/replicator-operator";

    private const string Keys = """
        aws_access_key_id = AKIAEXAMPLEEXAMPLE34
        aws_secret_access_key = secretsecretsecretsecretsecretsecret5678
        """;

    /// <summary>
    /// The chain's refusals, checked in-process (the CLI's ProfileCredentialsTests run them in a child process that no
    /// coverage sees): each names the profile at fault and, for an MFA prompt, the profile the user chose, so the advice
    /// to export its credentials names the right one. A profile deeper in the chain is as much at fault as the first.
    /// </summary>
    [Theory]
    [InlineData(
        $"[chosen]\nrole_arn = {Role}\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/operator\n\n[base]\n{Keys}",
        $"The profile \"chosen\" assumes role {Role} with mfa_serial, and replicator cannot prompt for an MFA code: run it with the keys the AWS CLI resolves (AWS CLI v2: eval \"$(aws configure export-credentials --profile chosen --format env)\")")]
    [InlineData(
        $"[chosen]\nrole_arn = {Role}\nsource_profile = inner\n\n[inner]\nrole_arn = {Role}\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/operator\n\n[base]\n{Keys}",
        $"The profile \"inner\" assumes role {Role} with mfa_serial, and replicator cannot prompt for an MFA code: run it with the keys the AWS CLI resolves (AWS CLI v2: eval \"$(aws configure export-credentials --profile chosen --format env)\")")]
    [InlineData(
        $"[chosen]\nrole_arn = {Role}\nsource_profile = chosen\n{Keys}",
        "The profile \"chosen\" is its own source_profile, to assume its role with the keys it holds")]
    [InlineData(
        $"[chosen]\nrole_arn = {Role}\nsource_profile = middle\n\n[middle]\nrole_arn = {Role}\nsource_profile = last\n\n[last]\nrole_arn = {Role}\nsource_profile = middle\n",
        "Infinite loop in credential configuration detected. Attempting to load from profile middle which has already been visited. Visited profiles: chosen, middle, last")]
    [InlineData(
        $"[chosen]\nrole_arn = {Role}\nsource_profile = gone\n",
        "The source_profile \"gone\" referenced in the profile \"chosen\" does not exist.")]
    [InlineData(
        $"[chosen]\nrole_arn = {Role}\nsource_profile = keyed\n\n[keyed]\n{Keys}\nexternal_id = replicator\n",
        $"The source_profile \"keyed\" of the profile \"chosen\" holds keys and also external_id, which the AWS CLI accepts (it assumes {Role} with those keys and ignores the rest)")]
    public void A_role_chain_the_SDK_cannot_follow_is_refused_naming_the_profile_at_fault(string file, string refusal)
    {
        File.WriteAllText(_file, file);
        var profiles = new CredentialProfileStoreChain(_file);

        var refused = Assert.Throws<ArgumentException>(() => ProfileRoleChain.Check(profiles, ProfileRoleChain.Find(profiles, "chosen")));

        Assert.StartsWith(refusal, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secretsecret", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The profile the chain ends in is the one whose own settings sign, and the CLI names it in the advice to sign in
    /// with IAM Identity Center: down every source_profile to the keys; a role with credential_source and no
    /// source_profile ends at itself; and a source profile with any SSO setting ends the chain there even with keys and
    /// a role's settings beside it, as AWSSDK.Core resolves it by SSO (CredentialProfileTypeDetector.DetectProfileType)
    /// and its sign-in is what to ask for.
    /// </summary>
    [Theory]
    [InlineData($"[chosen]\nrole_arn = {Role}\nsource_profile = middle\n\n[middle]\nrole_arn = {Role}\nsource_profile = base\n\n[base]\n{Keys}", "base")]
    [InlineData($"[chosen]\nrole_arn = {Role}\ncredential_source = Environment\n", "chosen")]
    [InlineData($"[chosen]\nrole_arn = {Role}\nsource_profile = sso\n\n[sso]\n{Keys}\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Operator\nmfa_serial = arn:aws:iam::123456789012:mfa/operator\n", "sso")]
    public void The_chain_ends_at_the_profile_whose_own_settings_sign(string file, string end)
    {
        File.WriteAllText(_file, file);
        var profiles = new CredentialProfileStoreChain(_file);

        Assert.Equal(end, ProfileRoleChain.Check(profiles, ProfileRoleChain.Find(profiles, "chosen")).Name);
    }

    /// <summary>A profile that is not in the files is refused up front in botocore's ProfileNotFound words, naming it.</summary>
    [Fact]
    public void A_profile_not_in_the_files_is_refused_naming_it()
    {
        File.WriteAllText(_file, $"[base]\n{Keys}");
        var profiles = new CredentialProfileStoreChain(_file);

        var refused = Assert.Throws<ArgumentException>(() => ProfileRoleChain.Find(profiles, "opertor"));

        Assert.Equal("The config profile (opertor) could not be found", refused.Message);
    }
}
