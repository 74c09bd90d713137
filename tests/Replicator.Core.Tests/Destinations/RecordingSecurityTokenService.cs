using Replicator.Core.Destinations;
using Replicator.Core.Signing;

namespace Replicator.Core.Tests.Destinations;

/// <summary>The real STS client, keeping each session it got, so a test can try an old one again.</summary>
internal sealed class RecordingSecurityTokenService(ISecurityTokenService inner) : ISecurityTokenService
{
    private readonly List<TemporaryCredentials> _issued = [];

    public IReadOnlyList<TemporaryCredentials> Issued
    {
        get
        {
            lock (_issued)
            {
                return [.. _issued];
            }
        }
    }

    public async Task<TemporaryCredentials> AssumeRoleAsync(string roleArn, string? externalId, string region, IAwsCredentialsSource caller, CancellationToken cancellationToken)
    {
        var issued = await inner.AssumeRoleAsync(roleArn, externalId, region, caller, cancellationToken);
        lock (_issued)
        {
            _issued.Add(issued);
        }

        return issued;
    }
}
