namespace LocalEcr.Storage;

/// <summary>What a download token unlocks: one blob until a moment.</summary>
internal sealed record DownloadGrant(string Digest, string Region, DateTimeOffset ExpiresAt);
