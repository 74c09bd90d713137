using System.Text.RegularExpressions;

namespace LocalEcr.Storage;

/// <summary>
/// A rule of the registry's managed-signing configuration: a signing profile, and the repositories whose pushes it signs
/// (none given: every repository). ECR's only filter type is WILDCARD_MATCH, where <c>*</c> matches any sequence of
/// characters ("myapp/*", "*/production", "*prod*": botocore's ECR model, SigningRepositoryFilter).
/// </summary>
internal sealed record SigningRule(string ProfileArn, IReadOnlyList<string> Filters)
{
    public bool Matches(string repositoryName) =>
        Filters.Count == 0 || Filters.Any(f => Regex.IsMatch(
            repositoryName,
            "^" + string.Join(".*", f.Split('*').Select(Regex.Escape)) + @"\z",
            RegexOptions.CultureInvariant,
            TimeSpan.FromSeconds(1)));
}
