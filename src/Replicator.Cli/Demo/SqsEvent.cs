using System.Text.Json.Serialization;

namespace Replicator.Cli.Demo;

/// <summary>The SQS event of one invocation.</summary>
public sealed record SqsEvent([property: JsonPropertyName("Records")] IReadOnlyList<SqsRecord> Records);
