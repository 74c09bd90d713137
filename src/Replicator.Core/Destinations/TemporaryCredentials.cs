using Replicator.Core.Signing;

namespace Replicator.Core.Destinations;

/// <summary>Credentials from STS and the moment they stop working, on this host's clock.</summary>
public sealed record TemporaryCredentials(AwsCredentials Credentials, DateTimeOffset Expiration);
