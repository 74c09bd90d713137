using Replicator.Cli.Selection;

namespace Replicator.Cli.Inventory;

/// <summary>A selected source image and the account (registry id) that holds it, as DescribeImages reported it.</summary>
public sealed record SourceImageEntry(string? RegistryId, SelectedImage Image);
