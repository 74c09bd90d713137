namespace LocalEcr;

/// <summary>One account LocalEcr serves, with the long-term key pair that signs as it (an IAM user's keys).</summary>
/// <param name="AccountId">12 digits.</param>
/// <param name="AccessKey">The access key id.</param>
/// <param name="SecretKey">The secret access key.</param>
public sealed record LocalEcrAccount(string AccountId, string AccessKey, string SecretKey)
{
    /// <summary>Never the secret: the record can end up in a test's failure message.</summary>
    public override string ToString() => $"LocalEcrAccount {{ AccountId = {AccountId}, AccessKey = {AccessKey}, SecretKey = *** }}";
}
