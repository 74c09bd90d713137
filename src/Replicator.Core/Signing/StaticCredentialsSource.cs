namespace Replicator.Core.Signing;

/// <summary>Fixed credentials: the key pair an SSM parameter holds (<see cref="Destinations.SsmCredentialsSource"/>), and local runs against LocalEcr.</summary>
public sealed class StaticCredentialsSource(AwsCredentials credentials) : IAwsCredentialsSource
{
    private readonly AwsCredentials _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));

    public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_credentials);
    }

    public override string ToString() => $"StaticCredentialsSource({_credentials})";
}
