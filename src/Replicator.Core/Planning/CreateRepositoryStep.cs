namespace Replicator.Core.Planning;

/// <summary>Create the destination repository (with the source's settings); RepositoryAlreadyExists means done.</summary>
public sealed record CreateRepositoryStep;
