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

    /// <summary>
    /// Runs <paramref name="call"/> (one call of a client signing with this adapter, and only with it); when the service
    /// refuses the caller's credentials as expired, drops the set that call was signed with from the source and runs it
    /// once more, so a second refusal is the caller's. STS (query protocol) says <c>ExpiredToken</c>, SSM (JSON)
    /// <c>ExpiredTokenException</c>, both "The security token included in the request is expired"
    /// (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html); AWSSDK.Core retries neither code and
    /// drops no cached credentials for them, and the source's cache would hand the refused set out again. The ECR
    /// client does the same for its own calls.
    /// </summary>
    public async Task<T> RenewingExpiredOnceAsync<T>(Func<Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await call();
        }
        catch (AmazonServiceException ex) when (ExpiredTokenCodes.Is(ex.ErrorCode) && LastIssued is { } used)
        {
            source.Invalidate(used);
            return await call();
        }
    }

    public override ImmutableCredentials GetCredentials() => GetCredentialsAsync().GetAwaiter().GetResult();

    public override async Task<ImmutableCredentials> GetCredentialsAsync()
    {
        var c = await source.GetCredentialsAsync(CancellationToken.None);
        Volatile.Write(ref _lastIssued, c);
        return new ImmutableCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken);
    }
}
