namespace LocalEcr;

/// <summary>A signed ECR request as it arrived: the signing region, the operation (X-Amz-Target) and the JSON body.</summary>
public sealed record RecordedRequest(string Region, string Operation, byte[] Body);
