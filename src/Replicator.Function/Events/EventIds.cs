namespace Replicator.Function.Events;

/// <summary>
/// Ids shaped like EventBridge's and SQS's (a UUID, RFC 9562 section 4: 8-4-4-4-12 hex digits), taken from the
/// first 32 hex digits of a hash, so the same input always gives the same id.
/// </summary>
public static class EventIds
{
    public static string Uuid(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (hex.Length < 32)
        {
            throw new ArgumentException("at least 32 hex digits are needed", nameof(hex));
        }

        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }
}
