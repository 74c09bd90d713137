using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class CreateRepositoryResponse : EcrResponse
{
    [JsonPropertyName("repository")]
    public Repository? Repository { get; set; }
}
