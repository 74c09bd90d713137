using System.Text.RegularExpressions;
using Replicator.Core.Selection;

namespace Replicator.Core.Tests.Selection;

/// <summary>The one tag filter both shells use (TAG_FILTER, --tag-filter).</summary>
public sealed class TagFilterTests
{
    [Fact]
    public void The_pattern_must_match_the_whole_tag()
    {
        var filter = TagFilter.Create("v1.*")!;

        Assert.Matches(filter, "v1.2.3");
        Assert.DoesNotMatch(filter, "dev-v1");
        Assert.DoesNotMatch(filter, "dev-v1.2");

        // $ would match before a final newline; the end of the tag is its end.
        Assert.DoesNotMatch(filter, "v1.2\n");
    }

    [Fact]
    public void An_alternation_is_anchored_as_a_whole()
    {
        var filter = TagFilter.Create("latest|v2")!;

        Assert.Matches(filter, "v2");
        Assert.DoesNotMatch(filter, "not-latest");
        Assert.DoesNotMatch(filter, "v2-rc");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void No_pattern_is_no_filter(string? pattern) => Assert.Null(TagFilter.Create(pattern));

    [Theory]
    [InlineData(" ")]
    [InlineData("\t")]
    [InlineData("  \n")]
    public void A_pattern_of_white_space_only_is_refused_since_it_would_skip_every_tag(string pattern)
    {
        var error = Assert.Throws<ArgumentException>(() => TagFilter.Create(pattern));

        Assert.StartsWith("is only white space, which matches no tag", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v[0-9", "unterminated bracket at character 5")]
    [InlineData("(unclosed", "insufficient closing parentheses at character 9")]
    [InlineData("a**", "nested quantifiers not parenthesized at character 3")]
    [InlineData("a)|(b", "insufficient opening parentheses at character 2")]
    [InlineData("  v[0-9", "unterminated bracket at character 7")]
    public void An_invalid_pattern_is_an_argument_error_about_the_pattern_as_given(string pattern, string problem)
    {
        // Characters count from 1 in the user's pattern, not in the anchoring wrapper around it: the second * of a** is the 3rd.
        var error = Assert.Throws<ArgumentException>(() => TagFilter.Create(pattern));

        Assert.Equal($"is not a valid regular expression: {problem}", error.Message);
    }

    /// <summary>
    /// White space around a pattern is dropped, as around the function's other settings: a space left after a
    /// template value ("^v[0-9]+ ") made a pattern no tag can match (a tag holds no white space), and every push was
    /// skipped without a word. Inside the pattern it is kept: it is the user's regular expression.
    /// </summary>
    [Theory]
    [InlineData("v[0-9]+ ")]
    [InlineData(" v[0-9]+")]
    [InlineData("\tv[0-9]+\n")]
    public void White_space_around_a_pattern_is_dropped(string pattern)
    {
        var filter = TagFilter.Create(pattern)!;

        Assert.Matches(filter, "v12");
        Assert.DoesNotMatch(filter, "dev-v12");
        Assert.DoesNotMatch(TagFilter.Create("v1| v2")!, "v2");
    }

    [Theory]
    [InlineData("(?x)v1 # release tags")]
    [InlineData("(?x) v1 #")]
    public void A_pattern_ending_in_an_extended_mode_comment_is_anchored_like_any_other(string pattern)
    {
        // The comment runs to the end of the line: the anchoring wrapper's closing must not fall into it.
        var filter = TagFilter.Create(pattern)!;

        Assert.Matches(filter, "v1");
        Assert.DoesNotMatch(filter, "v10");
        Assert.DoesNotMatch(filter, "dev-v1");
        Assert.DoesNotMatch(filter, "v1\n");
    }

    [Fact]
    public void Every_filter_carries_the_one_match_timeout() => Assert.Equal(TagFilter.MatchTimeout, TagFilter.Create("v.*")!.MatchTimeout);

    [Fact]
    public void A_catastrophic_pattern_times_out_instead_of_hanging()
    {
        var filter = TagFilter.Create("(a+)+b")!;

        Assert.Throws<RegexMatchTimeoutException>(() => filter.IsMatch(new string('a', 128)));
    }
}
