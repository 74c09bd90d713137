using Replicator.Core.Signing;

namespace Replicator.Core.Destinations;

/// <summary>Credentials from STS and the moment they stop working.</summary>
public sealed record TemporaryCredentials(AwsCredentials Credentials, DateTimeOffset Expiration);
