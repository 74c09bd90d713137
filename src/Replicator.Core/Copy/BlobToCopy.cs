namespace Replicator.Core.Copy;

/// <summary>One blob to copy: its digest, declared size and, for OCI descriptors with `data`, the inline bytes.</summary>
internal sealed record BlobToCopy(string Digest, long Size, byte[]? InlineData = null);
