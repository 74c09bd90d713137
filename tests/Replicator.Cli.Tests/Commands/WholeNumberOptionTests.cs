using System.CommandLine;
using Replicator.Cli.Commands;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// The range of a whole-number option holds both its bounds, and a value is its digits alone: <c>--parallel 64</c> is
/// the most the help promises ("1 to 64"), and a sign or a space is refused as a word is, in the option's one line.
/// </summary>
public sealed class WholeNumberOptionTests
{
    private static ParseResult Parse(string value)
    {
        var option = new Option<int>("--parallel") { CustomParser = WholeNumberOption.Parser("--parallel", 1, SyncCommand.MaxParallel) };
        var command = new RootCommand { option };
        return command.Parse(["--parallel", value]);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("64", 64)]
    public void Both_bounds_of_the_range_are_taken(string value, int expected)
    {
        var parse = Parse(value);

        Assert.Empty(parse.Errors);
        Assert.Equal(expected, parse.GetValue<int>("--parallel"));
    }

    [Theory]
    [InlineData("+4")]
    [InlineData(" 4")]
    [InlineData("4 ")]
    public void A_sign_or_a_space_is_refused_as_no_whole_number(string value)
    {
        var parse = Parse(value);

        var error = Assert.Single(parse.Errors);
        Assert.Equal($"--parallel must be a whole number from 1 to 64, not '{value}'", error.Message);
    }
}
