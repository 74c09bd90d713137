using Amazon.Runtime;

namespace Replicator.Core.Signing;

/// <summary>Hands an injected <see cref="IAwsCredentialsSource"/> to AWSSDK clients.</summary>
public sealed class CredentialsSourceAdapter(IAwsCredentialsSource source) : AWSCredentials
{
    public override ImmutableCredentials GetCredentials() => GetCredentialsAsync().GetAwaiter().GetResult();

    public override async Task<ImmutableCredentials> GetCredentialsAsync()
    {
        var c = await source.GetCredentialsAsync(CancellationToken.None);
        return new ImmutableCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken);
    }
}
