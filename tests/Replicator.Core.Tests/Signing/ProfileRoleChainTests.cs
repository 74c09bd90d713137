using Amazon.Runtime.CredentialManagement;
using Replicator.Core.Signing;

namespace Replicator.Core.Tests.Signing;

/// <summary>
/// The up-front check of a profile's keys beside a role's settings, on a credentials file of the test's own (the CLI's
/// tests run it end to end; these pin the part botocore decides by either key alone).
/// </summary>
public sealed class ProfileRoleChainTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"prc-{Guid.NewGuid():N}.ini");

    public void Dispose() => File.Delete(_file);

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
}
