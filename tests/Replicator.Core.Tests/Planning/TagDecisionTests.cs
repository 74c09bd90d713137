using Replicator.Core.Planning;

namespace Replicator.Core.Tests.Planning;

public class TagDecisionTests
{
    private const string A = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string B = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    [Fact]
    public void Tag_moves_when_the_source_tag_still_points_at_the_digest() => Assert.True(TagDecision.ShouldMoveTag(A, A));

    [Fact]
    public void Late_event_does_not_roll_the_tag_back() => Assert.False(TagDecision.ShouldMoveTag(A, B));

    [Fact]
    public void Tag_gone_at_the_source_is_not_applied() => Assert.False(TagDecision.ShouldMoveTag(A, null));

    [Fact]
    public void Comparison_is_exact() => Assert.False(TagDecision.ShouldMoveTag(A, A.ToUpperInvariant()));
}
