using Replicator.Core.Ecr;

namespace Replicator.Core.Copy;

/// <summary>Where one blob comes from and goes to. Registry ids are null for the caller's own account.</summary>
internal sealed record BlobRoute(
    IEcrClient Source,
    string? SourceRegistryId,
    string SourceRepository,
    IEcrClient Destination,
    string? DestinationRegistryId,
    string DestinationRepository);
