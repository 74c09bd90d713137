using Replicator.Core.Selection;

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
    [InlineData("base/nginx,!base/*", "base/nginx", false)]
    [InlineData("team/secret,*,!team/*", "team/secret", false)]
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

    [Fact]
    public void Everything_matches_any_name_and_keeps_its_text()
    {
        Assert.True(RepositoryFilter.Everything.Matches("any/repo"));
        Assert.Equal("*", RepositoryFilter.Everything.ToString());
        Assert.True(RepositoryFilter.TryParse("team/*", out var parsed, out var error));
        Assert.Null(error);
        Assert.Equal("team/*", parsed!.Text);
    }
}
