using Replicator.Cli.Selection;
using Replicator.Core.Ecr.Model;

namespace Replicator.Cli.Tests.Selection;

public sealed class ImageSelectorTests
{
    private const string A = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string B = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string C = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

    private static readonly DateTimeOffset Jan = new(2025, 1, 15, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Mar = new(2025, 3, 15, 0, 0, 0, TimeSpan.Zero);

    private static readonly ImageDetail[] Page =
    [
        new() { ImageDigest = A, ImageTags = ["v1", "latest"], ImagePushedAt = Jan, ImageSizeInBytes = 10 },
        new() { ImageDigest = B, ImageTags = ["v2"], ImagePushedAt = Mar },
        new() { ImageDigest = C, ImageTags = null, ImagePushedAt = Mar },
        new() { ImageDigest = null, ImageTags = ["broken"] },
    ];

    private static SelectionCriteria Criteria(string? tagFilter = null, DateTimeOffset? since = null) => new()
    {
        SourceRegion = "us-east-1",
        Destinations = [],
        TagFilter = SelectionParser.ParseTagFilter(tagFilter),
        Since = since,
    };

    [Fact]
    public void Each_tag_is_one_entry_sorted_and_untagged_or_digestless_images_are_left_out()
    {
        var selected = ImageSelector.SelectImages("app", Page, Criteria());

        Assert.Equal(["latest", "v1", "v2"], selected.Select(i => i.Tag));
        Assert.Equal([A, A, B], selected.Select(i => i.Digest));
        Assert.All(selected, i => Assert.Equal("app", i.Repository));
    }

    [Fact]
    public void The_tag_filter_matches_whole_tags_as_the_functions_TAG_FILTER()
    {
        Assert.Equal(["v1", "v2"], ImageSelector.SelectImages("app", Page, Criteria("v.*")).Select(i => i.Tag));
        Assert.Empty(ImageSelector.SelectImages("app", Page, Criteria("test")));
        Assert.Equal(["latest", "v2"], ImageSelector.SelectImages("app", Page, Criteria("latest|v2")).Select(i => i.Tag));
    }

    [Fact]
    public void Since_keeps_images_pushed_at_or_after_it_and_can_be_switched_off()
    {
        Assert.Equal(["v2"], ImageSelector.SelectImages("app", Page, Criteria(since: Mar)).Select(i => i.Tag));
        Assert.Equal(3, ImageSelector.SelectImages("app", Page, Criteria(since: Mar), applySince: false).Count);
    }

    [Fact]
    public void Repositories_are_filtered_deduplicated_and_sorted()
    {
        var criteria = Criteria() with { RepositoryPrefix = "team/" };

        Assert.Equal(["team/a", "team/b"], ImageSelector.SelectRepositories(["team/b", "other", "team/a", "team/b"], criteria));
    }

    /// <summary>
    /// --repository-prefix is a prefix, as the option says ("whose name starts with P"): a name that holds it further
    /// in (a team's repositories mirrored under another namespace) is another team's, not selected.
    /// </summary>
    [Fact]
    public void A_prefix_selects_names_that_start_with_it_not_names_that_hold_it()
    {
        var criteria = Criteria() with { RepositoryPrefix = "team/" };

        Assert.Equal(["team/app"], ImageSelector.SelectRepositories(["mirror/team/app", "team/app", "old-team/app"], criteria));
    }
}
