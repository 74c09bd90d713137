namespace Replicator.Cli.Selection;

/// <summary>One tag of one image in one repository (an image with two tags is two entries).</summary>
public sealed record SelectedImage(string Repository, string Tag, string Digest, DateTimeOffset? PushedAt, long? SizeInBytes);
