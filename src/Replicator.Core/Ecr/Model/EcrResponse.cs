using System.Net;
using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

/// <summary>
/// What every response carries besides its body, as AWSSDK's <c>AmazonWebServiceResponse</c> does
/// (<c>HttpStatusCode</c>, <c>ResponseMetadata.RequestId</c>), so code written against it ports as is.
/// </summary>
public abstract class EcrResponse
{
    [JsonIgnore]
    public HttpStatusCode HttpStatusCode { get; set; }

    [JsonIgnore]
    public ResponseMetadata ResponseMetadata { get; set; } = new();
}
