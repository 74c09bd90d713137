namespace Replicator.Core.Ecr.Model;

/// <summary>Values of the ECR model's <c>EncryptionType</c> enumeration, sent and received as strings.</summary>
public static class EncryptionType
{
    public const string Aes256 = "AES256";
    public const string Kms = "KMS";
    public const string KmsDsse = "KMS_DSSE";
}
