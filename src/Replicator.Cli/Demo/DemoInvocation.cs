namespace Replicator.Cli.Demo;

/// <summary>What one invocation returned (the partial batch response JSON) and wrote (one log or EMF line each).</summary>
public sealed record DemoInvocation(string ResponseJson, IReadOnlyList<string> OutputLines);
