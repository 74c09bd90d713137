using Amazon.Runtime;

namespace Replicator.Core.Signing;

/// <summary>Hands an injected <see cref="IAwsCredentialsSource"/> to AWSSDK clients.</summary>
public sealed class CredentialsSourceAdapter(IAwsCredentialsSource source) : AWSCredentials
{
    private AwsCredentials? _lastIssued;

    /// <summary>
    /// The set last handed to the SDK: for an adapter used by one call, the set that call was signed with, which a
    /// refusal as expired drops (<see cref="IAwsCredentialsSource.Invalidate(AwsCredentials)"/>).
    /// </summary>
    public AwsCredentials? LastIssued => Volatile.Read(ref _lastIssued);

    public override ImmutableCredentials GetCredentials() => GetCredentialsAsync().GetAwaiter().GetResult();

    public override async Task<ImmutableCredentials> GetCredentialsAsync()
    {
        var c = await source.GetCredentialsAsync(CancellationToken.None);
        Volatile.Write(ref _lastIssued, c);
        return new ImmutableCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken);
    }
}
