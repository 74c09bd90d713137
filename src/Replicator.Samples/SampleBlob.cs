namespace Replicator.Samples;

public sealed record SampleBlob(string Digest, long Size, string MediaType, BlobContent Content);
