using System.Text.Json.Serialization;

namespace Replicator.Function.Runtime;

/// <summary>The body of invocation/error and init/error (content type application/vnd.aws.lambda.error+json).</summary>
public sealed record RuntimeError(
    [property: JsonPropertyName("errorMessage")] string ErrorMessage,
    [property: JsonPropertyName("errorType")] string ErrorType,
    [property: JsonPropertyName("stackTrace")] IReadOnlyList<string> StackTrace);
