using System.Text.Json.Serialization;
using Replicator.Cli.Demo;
using Replicator.Cli.Verification;

namespace Replicator.Cli.Enqueue;

/// <summary>Every JSON the CLI writes, source-generated (trimming safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(EcrImageActionEvent))]
[JsonSerializable(typeof(VerifyReport))]
[JsonSerializable(typeof(SqsEvent))]
public sealed partial class CliJsonContext : JsonSerializerContext
{
}
