using System.Text.Json;

namespace LocalEcr.Api;

/// <summary>An ECR error answer: HTTP status, <c>__type</c>, message and the model's extra members.</summary>
internal sealed class EcrException(string code, string message, int statusCode = 400, Action<Utf8JsonWriter>? members = null)
    : Exception(message)
{
    public string Code { get; } = code;

    public int StatusCode { get; } = statusCode;

    public Action<Utf8JsonWriter>? Members { get; } = members;

    public static EcrException InvalidParameter(string message) => new("InvalidParameterException", message);

    public static EcrException RepositoryNotFound(string name, string registryId) =>
        new("RepositoryNotFoundException", $"The repository with name '{name}' does not exist in the registry with id '{registryId}'");

    /// <summary>IAM's refusal, as ECR answers it (AccessDeniedException, HTTP 400 in the JSON protocol).</summary>
    public static EcrException AccessDenied(string principalArn, string operation, string resourceArn) =>
        new("AccessDeniedException", $"User: {principalArn} is not authorized to perform: ecr:{operation} on resource: {resourceArn} because no resource-based policy allows the ecr:{operation} action");
}
