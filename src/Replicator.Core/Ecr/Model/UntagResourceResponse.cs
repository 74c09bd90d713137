namespace Replicator.Core.Ecr.Model;

/// <summary>UntagResource answers an empty structure.</summary>
public sealed class UntagResourceResponse : EcrResponse;
