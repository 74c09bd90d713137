using Replicator.Cli.Composition;
using Replicator.Cli.Selection;

namespace Replicator.Cli.Tests.Selection;

/// <summary>
/// A selection option given an empty value (<c>--since "$SINCE"</c> with the variable unset in a CI script) is a usage
/// error naming the option, as <c>--repository-filter ""</c> already was. Before, it was read as absent, and the run
/// selected every image, repository or tag.
/// </summary>
public sealed class EmptyOptionValueTests
{
    private static SelectionInput Input() => new() { SourceRegion = "us-east-1", DestinationRegions = ["us-west-2"] };

    [Theory]
    [InlineData("--since")]
    [InlineData("--repository-prefix")]
    [InlineData("--tag-filter")]
    public void An_empty_value_is_refused_naming_the_option(string option)
    {
        var input = option switch
        {
            "--since" => Input() with { Since = string.Empty },
            "--repository-prefix" => Input() with { RepositoryPrefix = string.Empty },
            _ => Input() with { TagFilter = string.Empty },
        };

        var error = Assert.Throws<UsageException>(() => SelectionParser.Parse(input, null, null));

        Assert.StartsWith($"{option} is empty (''): ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Absent_options_still_select_everything()
    {
        var criteria = SelectionParser.Parse(Input(), null, null);

        Assert.Null(criteria.Since);
        Assert.Null(criteria.RepositoryPrefix);
        Assert.Null(criteria.TagFilter);
    }
}
