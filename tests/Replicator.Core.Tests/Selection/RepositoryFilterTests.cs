using Replicator.Core.Selection;
using Replicator.Core.Validation;

namespace Replicator.Core.Tests.Selection;

public sealed class RepositoryFilterTests
{
    [Theory]
    [InlineData("*", "team/a", true)]
    [InlineData("*", "sandbox/x", true)]
    [InlineData("team/*,base/nginx", "team/a", true)]
    [InlineData("team/*,base/nginx", "team/deep/er", true)]
    [InlineData("team/*,base/nginx", "base/nginx", true)]
    [InlineData("team/*,base/nginx", "base/nginx-old", false)]
    [InlineData("team/*,base/nginx", "teamx/a", false)]
    [InlineData("team/*,base/nginx", "team", false)]
    [InlineData("*,!sandbox/*,!tmp/*", "team/a", true)]
    [InlineData("*,!sandbox/*,!tmp/*", "sandbox/x", false)]
    [InlineData("*,!sandbox/*,!tmp/*", "tmp/y", false)]
    [InlineData("*,!sandbox/*,!tmp/*", "sandboxes/z", true)]
    [InlineData("team-*", "team-a", true)]
    [InlineData("team/*,!team/secret", "team/secret", false)]
    [InlineData("team/*,!team/secret", "team/secrets", true)]
    [InlineData("!team/secret,team/*", "team/secret", false)]
    [InlineData("base/*,!base/nginx", "base/nginx", false)]
    [InlineData("team/*,*,!team/secret", "team/secret", false)]
    [InlineData(" team/* , base/nginx ", "base/nginx", true)]
    public void Includes_select_and_exclusions_win(string filter, string repository, bool expected) =>
        Assert.Equal(expected, RepositoryFilter.Parse(filter).Matches(repository));

    [Fact]
    public void Patterns_are_classified_as_everything_prefix_or_exact()
    {
        var filter = RepositoryFilter.Parse("*,team/*,base/nginx,!sandbox/*,!tmp/old");

        Assert.Equal(["*", "team/*", "base/nginx"], filter.Includes.Select(p => p.Text));
        Assert.Equal(["sandbox/*", "tmp/old"], filter.Excludes.Select(p => p.Text));
        Assert.True(filter.Includes[0].IsEverything);
        Assert.True(filter.Includes[1] is { IsPrefix: true, IsEverything: false, Value: "team/" });
        Assert.True(filter.Includes[2] is { IsPrefix: false, Value: "base/nginx" });
        Assert.True(filter.Excludes[0] is { IsPrefix: true, Value: "sandbox/" });
    }

    [Fact]
    public void Repeated_patterns_are_kept_once()
    {
        var filter = RepositoryFilter.Parse("team/*,team/*,!x/*,!x/*");

        Assert.Single(filter.Includes);
        Assert.Single(filter.Excludes);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("   ", "is empty")]
    [InlineData(null, "is empty")]
    [InlineData("team/*,,base/nginx", "pattern 2 is empty")]
    [InlineData("team/*,", "pattern 2 is empty")]
    [InlineData("!sandbox/*", "selects nothing")]
    [InlineData("*,!", "'!' excludes nothing")]
    [InlineData("team/*/app", "'team/*/app' has * before its end")]
    [InlineData("*team", "'*team' has * before its end")]
    [InlineData("**", "'**' has * before its end")]
    [InlineData("*,!sand*box", "'!sand*box' has * before its end")]
    [InlineData("Team/*", "'Team/*': the prefix 'Team/'")]
    [InlineData("/team*", "'/team*': the prefix '/team'")]
    [InlineData("base/Nginx", "'base/Nginx': repository name 'base/Nginx' is invalid")]
    [InlineData("a", "'a': repository name 'a' must be 2 to")]
    [InlineData("team app", "'team app'")]
    public void Bad_filters_name_the_bad_pattern(string? filter, string expected)
    {
        var error = Assert.Throws<RepositoryFilterException>(() => RepositoryFilter.Parse(filter));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);

        Assert.False(RepositoryFilter.TryParse(filter, out var parsed, out var message));
        Assert.Null(parsed);
        Assert.Equal(error.Message, message);
    }

    /// <summary>
    /// A prefix no repository name starts with selects nothing, silently: ECR's names (botocore's model, RepositoryName)
    /// put one '.', '_', '__', run of '-' or '/' between letters and digits, so "team//" (a variable ending in '/'
    /// joined with another '/') or "team-/" begin none. Refused naming the pattern, as an upper-case prefix is.
    /// </summary>
    [Theory]
    [InlineData("team//*")]
    [InlineData("team-/*")]
    [InlineData("team/-*")]
    [InlineData("team/.*")]
    [InlineData("a..*")]
    [InlineData("a___*")]
    [InlineData("a_-*")]
    [InlineData("*,!team//*")]
    public void A_prefix_no_repository_name_can_start_with_is_refused(string filter)
    {
        var error = Assert.Throws<RepositoryFilterException>(() => RepositoryFilter.Parse(filter));

        Assert.Contains("cannot start a repository name", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The separators a name may end a prefix with: the next letter or digit completes the name.</summary>
    [Theory]
    [InlineData("team/*", "team/app")]
    [InlineData("team-*", "team-app")]
    [InlineData("team--*", "team--app")]
    [InlineData("team_*", "team_app")]
    [InlineData("team__*", "team__app")]
    [InlineData("team.*", "team.app")]
    [InlineData("a*", "ab")]
    public void A_prefix_ending_in_a_separator_ECR_allows_is_taken(string filter, string name)
    {
        Assert.True(RepositoryFilter.Parse(filter).Matches(name));
    }

    /// <summary>
    /// Exclusions win, so an include that one exclusion covers entirely selects nothing: the stack would deploy and
    /// replicate nothing for it. <c>!*</c> covers every include, <c>!X*</c> an include starting with X (exact or a
    /// prefix), <c>!X</c> only the exact include X; the order of the patterns does not matter.
    /// </summary>
    [Theory]
    [InlineData("*,!*", "'*'", "'!*'")]
    [InlineData("!*,team/*", "'team/*'", "'!*'")]
    [InlineData("team/a,!*", "'team/a'", "'!*'")]
    [InlineData("team/*,!team/*", "'team/*'", "'!team/*'")]
    [InlineData("ab,!ab", "'ab'", "'!ab'")]
    [InlineData("!ab,ab", "'ab'", "'!ab'")]
    [InlineData("team/a,!team/*", "'team/a'", "'!team/*'")]
    [InlineData("!team/*,team/a", "'team/a'", "'!team/*'")]
    [InlineData("team/ab*,!team/a*", "'team/ab*'", "'!team/a*'")]
    [InlineData("team/a,!team/a*", "'team/a'", "'!team/a*'")]
    [InlineData("*,base/nginx,!sandbox/*,!base/*", "'base/nginx'", "'!base/*'")]
    public void An_include_that_an_exclusion_covers_is_refused_naming_both(string filter, string include, string exclusion)
    {
        var error = Assert.Throws<RepositoryFilterException>(() => RepositoryFilter.Parse(filter));

        Assert.StartsWith($"pattern {include} selects nothing: the exclusion {exclusion} ", error.Message, StringComparison.Ordinal);
        Assert.False(RepositoryFilter.TryParse(filter, out _, out var message));
        Assert.Equal(error.Message, message);
    }

    [Theory]
    [InlineData("*,!team/*")] // '*' keeps every other repository
    [InlineData("team/*,!team/a")] // an exact exclusion leaves the rest of the prefix
    [InlineData("team/a*,!team/a")]
    [InlineData("team/a*,!team/ab*")] // a longer prefix leaves team/a and team/ac
    [InlineData("team/a,!team/ab*")]
    [InlineData("team/ab,!team/a")]
    [InlineData("!team/a,team/*")]
    public void An_exclusion_that_leaves_part_of_every_include_is_accepted(string filter) =>
        Assert.True(RepositoryFilter.TryParse(filter, out _, out var error), error);

    [Fact]
    public void Everything_matches_any_name_and_keeps_its_text()
    {
        Assert.True(RepositoryFilter.Everything.Matches("any/repo"));
        Assert.Equal("*", RepositoryFilter.Everything.ToString());
        Assert.True(RepositoryFilter.TryParse("team/*", out var parsed, out var error));
        Assert.Null(error);
        Assert.Equal("team/*", parsed!.Text);
    }

    /// <summary>
    /// A repository name is at most 256 characters (botocore's ECR model, RepositoryName), so a prefix of 256 still
    /// selects the one name that long (a name starts with itself); only a longer prefix is one no name starts with.
    /// </summary>
    [Fact]
    public void A_prefix_as_long_as_the_longest_repository_name_is_taken_and_a_longer_one_is_refused()
    {
        var longest = new string('a', EcrNames.MaxRepositoryNameLength);

        Assert.True(RepositoryFilter.Parse(longest + "*").Matches(longest));
        var error = Assert.Throws<RepositoryFilterException>(() => RepositoryFilter.Parse(longest + "a*"));
        Assert.Contains("the prefix is 257 characters long", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A prefix of 256 characters that ends in a separator needs one letter more, so every name it could start is longer
    /// than ECR's 256: refused for its length, not taken as a filter that selects nothing. One character shorter, it is
    /// the start of a 256-character name.
    /// </summary>
    [Fact]
    public void A_prefix_of_the_longest_length_ending_in_a_separator_is_refused_and_one_shorter_is_taken()
    {
        var ending = new string('a', EcrNames.MaxRepositoryNameLength - 1) + "-";
        var error = Assert.Throws<RepositoryFilterException>(() => RepositoryFilter.Parse(ending + "*"));
        Assert.Contains("the prefix is 256 characters long, and no repository name (at most 256 characters) starts with it", error.Message, StringComparison.Ordinal);

        var shorter = new string('a', EcrNames.MaxRepositoryNameLength - 2) + "-";
        Assert.True(RepositoryFilter.Parse(shorter + "*").Matches(shorter + "b"));
    }
}
