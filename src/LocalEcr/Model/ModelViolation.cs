namespace LocalEcr.Model;

/// <summary>A member of a request or an answer that breaks the model: where (a dotted path such as <c>tags[0].Value</c>) and which constraint.</summary>
/// <param name="Kind">required, length, range, pattern, enum, type or unknown-member.</param>
public sealed record ModelViolation(string Path, string Kind, string Message);
