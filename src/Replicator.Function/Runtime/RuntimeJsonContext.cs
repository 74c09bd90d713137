using System.Text.Json.Serialization;

namespace Replicator.Function.Runtime;

[JsonSerializable(typeof(RuntimeError))]
public sealed partial class RuntimeJsonContext : JsonSerializerContext;
