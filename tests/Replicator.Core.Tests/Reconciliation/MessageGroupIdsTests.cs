using Replicator.Core.Reconciliation;

namespace Replicator.Core.Tests.Reconciliation;

public sealed class MessageGroupIdsTests
{
    [Theory]
    [InlineData("app")]
    [InlineData("team/app")]
    public void A_name_that_fits_is_its_own_group_as_the_intake_pipe_sets_it(string repository) =>
        Assert.Equal(repository, MessageGroupIds.For(repository));

    [Fact]
    public void A_name_of_128_characters_is_kept_whole()
    {
        var name = new string('a', MessageGroupIds.MaxLength);

        Assert.Equal(name, MessageGroupIds.For(name));
    }

    [Fact]
    public void A_long_name_gets_a_group_of_at_most_128_characters_and_the_same_one_every_time()
    {
        var name = "team/" + new string('x', 195);
        Assert.Equal(200, name.Length);

        var id = MessageGroupIds.For(name);

        Assert.True(id.Length <= MessageGroupIds.MaxLength, $"{id.Length} characters");
        Assert.Equal(id, MessageGroupIds.For(new string(name.ToCharArray())));
        Assert.StartsWith("team/xxx", id, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_long_names_sharing_their_first_128_characters_get_different_groups()
    {
        var prefix = "team/" + new string('p', 123);
        Assert.Equal(128, prefix.Length);

        var first = MessageGroupIds.For(prefix + "/first");
        var second = MessageGroupIds.For(prefix + "/second");

        Assert.NotEqual(first, second);
        Assert.All(new[] { first, second }, id => Assert.True(id.Length <= MessageGroupIds.MaxLength));
    }

    [Fact]
    public void A_hashed_group_uses_only_characters_SQS_admits_in_a_group_id()
    {
        // SendMessage: "MessageGroupId can contain alphanumeric characters (a-z, A-Z, 0-9) and punctuation
        // (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~)".
        var id = MessageGroupIds.For(new string('a', 100) + "/" + new string('b', 155));

        Assert.Matches("^[A-Za-z0-9!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]+$", id);
    }
}
