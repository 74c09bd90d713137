using System.Text.Json;
using LocalEcr.Json;
using LocalEcr.Hosting;
using LocalEcr.Storage;

namespace LocalEcr.Api;

/// <summary>One verified ECR request: who, where, what, and the parsed body.</summary>
internal sealed class EcrCall
{
    public required ServerContext Server { get; init; }

    public required string Region { get; init; }

    public required string Operation { get; init; }

    public required JsonElement Body { get; init; }

    public required string RegistryId { get; init; }

    /// <summary>The signer's IAM ARN, named in an AccessDeniedException.</summary>
    public required string CallerArn { get; init; }

    public required CancellationToken Aborted { get; init; }

    /// <summary>The Host header the client used (a signed header, so it is what the client meant).</summary>
    public string? RequestHost { get; init; }

    public RegistryState State => Server.Registry.For(RegistryId, Region);

    public DateTimeOffset Now => Server.Time.GetUtcNow();

    /// <summary>The repository named by <c>repositoryName</c>; call under the state's lock.</summary>
    public Repository FindRepository(string name)
    {
        if (!State.Repositories.TryGetValue(name, out var repository))
        {
            throw EcrException.RepositoryNotFound(name, RegistryId);
        }

        return repository;
    }

    public string RepositoryName() => Validate.RepositoryName(Body.RequiredString("repositoryName"));
}
