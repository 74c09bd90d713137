using Replicator.Core.Copy;
using Replicator.Core.Ecr;
using Replicator.Core.Planning;

namespace Replicator.Core.Replication;

/// <summary>The loaded source image of one request, shared by its destinations, with the fan-out that downloads each of its blobs once for all of them.</summary>
internal sealed record SourceContext(IEcrClient Client, ImageReference Reference, SourceImage Image, Lazy<Task<SourceRepositorySettings>> RepositorySettings, BlobFanOut Blobs);
