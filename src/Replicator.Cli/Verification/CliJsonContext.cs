using System.Text.Json.Serialization;

namespace Replicator.Cli.Verification;

/// <summary>The JSON the CLI writes of its own (verify --json), source-generated (trimming safe); events are the function's wire types.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(VerifyReport))]
[JsonSerializable(typeof(DriftEntry))]
public sealed partial class CliJsonContext : JsonSerializerContext
{
}
