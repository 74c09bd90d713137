namespace Replicator.Core.Manifests;

/// <summary>
/// A manifest that cannot be replicated as it is: malformed, too large, of an unknown type or inconsistent.
/// Permanent: fetching the same digest again gives the same bytes.
/// </summary>
public sealed class ManifestException : Exception
{
    public ManifestException()
    {
    }

    public ManifestException(string message)
        : base(message)
    {
    }

    public ManifestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
