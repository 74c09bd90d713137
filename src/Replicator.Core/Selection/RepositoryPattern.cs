namespace Replicator.Core.Selection;

/// <summary>
/// One pattern of a <see cref="RepositoryFilter"/>: every repository (<c>*</c>), a prefix (<c>team/*</c>) or an
/// exact name (<c>base/nginx</c>). Only a trailing <c>*</c> is a wildcard, so a pattern means the same thing in the
/// function, in an EventBridge <c>wildcard</c> or <c>prefix</c> filter and in an IAM resource ARN.
/// </summary>
public sealed record RepositoryPattern
{
    private RepositoryPattern(string text, string value, bool isPrefix)
    {
        Text = text;
        Value = value;
        IsPrefix = isPrefix;
    }

    /// <summary>The pattern as written, without a leading <c>!</c>.</summary>
    public string Text { get; }

    /// <summary>The exact name, or the prefix without its <c>*</c> (empty for <c>*</c>).</summary>
    public string Value { get; }

    public bool IsPrefix { get; }

    /// <summary><c>*</c>: every repository.</summary>
    internal bool IsEverything => IsPrefix && Value.Length == 0;

    public bool Matches(string repositoryName)
    {
        ArgumentNullException.ThrowIfNull(repositoryName);
        return IsPrefix
            ? repositoryName.StartsWith(Value, StringComparison.Ordinal)
            : string.Equals(repositoryName, Value, StringComparison.Ordinal);
    }

    public override string ToString() => Text;

    internal static RepositoryPattern Exact(string name) => new(name, name, isPrefix: false);

    internal static RepositoryPattern Prefix(string text) => new(text, text[..^1], isPrefix: true);
}
