using System.CommandLine;
using Replicator.Cli.Commands;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// Which words <see cref="EmptyOptionValues"/> reads as an option given an empty value: only those of an option that
/// takes a value, and none after <c>--</c>. A flag written <c>--dry-run=</c> is left to System.CommandLine, which reads it
/// as the flag; split into the flag and an empty word, the empty word was an unrecognized argument and a dry run
/// stopped with exit 2.
/// </summary>
public sealed class EmptyOptionValuesTests
{
    private static RootCommand Root()
    {
        var sync = new Command("sync")
        {
            new Option<string?>("--tag-filter"),
            new Option<bool>("--dry-run"),
        };
        return new RootCommand { sync };
    }

    [Fact]
    public void An_option_that_takes_a_value_is_split_and_a_flag_is_left_as_it_is()
    {
        var expanded = EmptyOptionValues.Expand(["sync", "--dry-run=", "--tag-filter="], Root());

        Assert.Equal(["sync", "--dry-run=", "--tag-filter", string.Empty], expanded);
    }

    [Theory]
    [InlineData("--tag-filter=")]
    [InlineData("--tag-filter:")]
    public void Without_the_expansion_the_library_takes_the_next_option_as_the_value_and_with_it_the_value_is_empty(string word)
    {
        // Why the expansion exists: should a System.CommandLine release read "--tag-filter=" as an empty value itself,
        // the first assertion fails and the expansion can go.
        var root = Root();

        var raw = root.Parse(["sync", word, "--dry-run"]);
        var expanded = root.Parse(EmptyOptionValues.Expand(["sync", word, "--dry-run"], root));

        Assert.Equal("--dry-run", raw.GetValue<string?>("--tag-filter"));
        Assert.False(raw.GetValue<bool>("--dry-run"));
        Assert.Empty(expanded.Errors);
        Assert.Equal(string.Empty, expanded.GetValue<string?>("--tag-filter"));
        Assert.True(expanded.GetValue<bool>("--dry-run"));
    }

    [Fact]
    public void A_flag_given_with_equals_still_parses_as_the_flag()
    {
        var root = Root();

        var parse = root.Parse(EmptyOptionValues.Expand(["sync", "--dry-run="], root));

        Assert.Empty(parse.Errors);
        Assert.True(parse.GetValue<bool>("--dry-run"));
    }

    [Fact]
    public void Words_after_the_double_dash_are_arguments_and_left_as_they_are()
    {
        var expanded = EmptyOptionValues.Expand(["sync", "--", "--tag-filter="], Root());

        Assert.Equal(["sync", "--", "--tag-filter="], expanded);
    }
}
