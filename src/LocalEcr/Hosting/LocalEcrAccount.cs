namespace LocalEcr;

/// <summary>
/// One account LocalEcr serves, with the long-term key pair that signs as it (an IAM user's keys). An account and
/// its keys exist in one partition only, as in AWS: requests signed for a region of another partition are refused
/// as an unknown key.
/// </summary>
/// <param name="AccountId">12 digits.</param>
/// <param name="AccessKey">The access key id.</param>
/// <param name="SecretKey">The secret access key.</param>
/// <param name="Partition">
/// <c>aws</c>, <c>aws-cn</c>, <c>aws-us-gov</c>, <c>aws-iso</c>, <c>aws-iso-b</c>, <c>aws-iso-e</c>, <c>aws-iso-f</c> or
/// <c>aws-eusc</c>.
/// </param>
public sealed record LocalEcrAccount(string AccountId, string AccessKey, string SecretKey, string Partition = "aws")
{
    /// <summary>Never the secret: the record can end up in a test's failure message.</summary>
    public override string ToString() => $"LocalEcrAccount {{ AccountId = {AccountId}, AccessKey = {AccessKey}, SecretKey = ***, Partition = {Partition} }}";
}
