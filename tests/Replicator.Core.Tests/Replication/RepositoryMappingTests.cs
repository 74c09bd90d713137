using Replicator.Core.Configuration;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Core.Selection;
using Replicator.Core.Validation;

namespace Replicator.Core.Tests.Replication;

public sealed class RepositoryMappingTests
{
    [Theory]
    [InlineData("team/=mirror/team/", "team/app", "mirror/team/app")]
    [InlineData("team/=mirror/team/", "other/app", "other/app")]
    [InlineData("=backup/", "app", "backup/app")]
    [InlineData("=backup/,team/=t/", "team/app", "t/app")]
    [InlineData("team/=a/,team/web/=b/", "team/web/site", "b/site")]
    [InlineData("team/=a/,team/web/=b/", "team/webber", "a/webber")]
    [InlineData("team/web/=b/,team/=a/", "team/web/site", "b/site")]
    [InlineData("app=application", "app", "application")]
    [InlineData("app=", "app-x", "-x")]
    public void The_longest_matching_prefix_wins(string mapping, string source, string expected)
    {
        var parsed = RepositoryMapping.Parse(mapping);

        var ok = parsed.TryMap(source, out var mapped, out _);

        Assert.Equal(expected, mapped);
        Assert.Equal(expected != "-x", ok);
    }

    [Fact]
    public void An_invalid_mapped_name_is_a_permanent_error_naming_the_repository()
    {
        var mapping = RepositoryMapping.Parse("app=");

        var error = Assert.Throws<ReplicationException>(() => mapping.Map("app-x"));

        Assert.Equal(ReplicationErrorCodes.InvalidRepositoryMapping, error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.Contains("'app-x'", error.Message, StringComparison.Ordinal);
        Assert.Contains("REPOSITORY_MAPPING", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_mapped_name_is_reported_under_the_setting_the_mapping_was_parsed_from()
    {
        var mapping = RepositoryMapping.Parse("app=", "--repository-mapping");

        var error = Assert.Throws<ReplicationException>(() => mapping.Map("app-x"));

        Assert.StartsWith("--repository-mapping maps repository 'app-x' to an invalid name: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("REPOSITORY_MAPPING", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mapped_name_longer_than_ECR_allows_is_refused()
    {
        var mapping = RepositoryMapping.Parse("=" + new string('a', 200) + "/");

        Assert.False(mapping.TryMap(new string('b', 60), out _, out var problem));
        Assert.Contains("2 to 256", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void No_mapping_keeps_every_name()
    {
        Assert.True(RepositoryMapping.Parse(null).IsIdentity);
        Assert.True(RepositoryMapping.Parse("  ").IsIdentity);
        Assert.Equal("team/app", RepositoryMapping.Identity.Map("team/app"));
    }

    [Theory]
    [InlineData("team/", "must be SOURCE_PREFIX=DESTINATION_PREFIX")]
    [InlineData("a=b=c", "must be SOURCE_PREFIX=DESTINATION_PREFIX")]
    [InlineData("Team/=x/", "the source prefix")]
    [InlineData("team/=Mirror/", "the destination prefix")]
    [InlineData("team/=/mirror/", "must start with a lowercase letter or a digit")]
    [InlineData("team/=mirror//", "'mirror//' cannot start a repository name")]
    [InlineData("team/=mirror-/", "the destination prefix 'mirror-/' cannot start a repository name")] // every mapped name invalid
    [InlineData("team/=mirror/.", "the destination prefix 'mirror/.' cannot start a repository name")]
    [InlineData("team-/=mirror/", "the source prefix 'team-/' cannot start a repository name")] // matches no name: all keep theirs
    [InlineData("team..=mirror/", "the source prefix 'team..' cannot start a repository name")]
    [InlineData("team/=a/,team/=b/", "listed twice")]
    [InlineData("team/=mirror/team/,", "entry 2 is empty (two commas in a row, or a comma at an end)")]
    [InlineData("team/=mirror/team/,,=backup/", "entry 2 is empty")]
    [InlineData(",team/=mirror/team/", "entry 1 is empty")]
    public void A_malformed_mapping_names_the_variable_and_the_entry(string value, string expected)
    {
        var error = Assert.Throws<SettingException>(() => RepositoryMapping.Parse(value));

        Assert.Equal("REPOSITORY_MAPPING", error.Setting);
        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("team/=", "*", "'team/app' and 'app' both become 'app'")]
    [InlineData("team/=mirror/team/", "*", "'team/app' and 'mirror/team/app' both become 'mirror/team/app'")]
    [InlineData("a/=x/a/,x/=y/", "*", "'x/app' and 'y/app' both become 'y/app'")]
    [InlineData("a/=x/,b/=x/b/", "*", "'a/b/app' and 'b/app' both become 'x/b/app'")]
    [InlineData("a/=x/,b/=x/", "*", "'a/app' and 'b/app' both become 'x/app'")]
    [InlineData("ab/=x/b/,a/=x/", "*", "'a/b/app' and 'ab/app' both become 'x/b/app'")] // the longer source prefix has the longer destination prefix
    [InlineData("team/=", "team/*,app", "'team/app' and 'app' both become 'app'")]
    public void Rules_under_which_two_repositories_can_share_a_destination_are_named_with_an_example(string mapping, string filter, string example)
    {
        var collisions = RepositoryMapping.Parse(mapping).Collisions(RepositoryFilter.Parse(filter));

        Assert.Contains(collisions, c => c.Contains(example, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "*")]
    [InlineData("=backup/", "*")]
    [InlineData("team/=mirror/team/,=backup/", "*")]
    [InlineData("a/=b/,b/=a/", "*")]
    [InlineData("a/=x/a/,b/=x/b/,x/=a/x/", "*")]
    [InlineData("team/=mirror/team/,team/web/=mirror/team/web/,mirror/=team/mirror/", "*")]
    [InlineData("team/=", "team/*")]
    [InlineData("team/=mirror/team/", "team/*")]
    [InlineData("team/=", "team/*,team/app")] // team/app is mapped, so it is not a name kept as is
    [InlineData("team/=", "other/*")] // the rule maps no selected name: a collision with it cannot happen here
    [InlineData("a/=x/,b/=x/", "a/*")] // only one of the two rules that share x/ maps a selected name
    public void A_mapping_that_is_one_to_one_on_the_selection_has_no_collision(string mapping, string filter)
    {
        Assert.Empty(RepositoryMapping.Parse(mapping).Collisions(RepositoryFilter.Parse(filter)));
    }

    /// <summary>
    /// ECR's repository names run to 256 characters (botocore's ECR model, RepositoryName): a source prefix that long
    /// matches the one name that long, and a destination prefix that long is the whole mapped name. Only a longer
    /// prefix is refused, as one no name starts with.
    /// </summary>
    [Fact]
    public void Prefixes_as_long_as_the_longest_repository_name_are_taken_and_longer_ones_are_refused()
    {
        var source = new string('a', EcrNames.MaxRepositoryNameLength);
        var destination = new string('b', EcrNames.MaxRepositoryNameLength);

        Assert.Equal(destination, RepositoryMapping.Parse($"{source}={destination}").Map(source));

        var longSource = Assert.Throws<SettingException>(() => RepositoryMapping.Parse($"{source}a=x/"));
        Assert.Contains("the source prefix is longer than 256 characters", longSource.Problem, StringComparison.Ordinal);
        var longDestination = Assert.Throws<SettingException>(() => RepositoryMapping.Parse($"x/={destination}b"));
        Assert.Contains("the destination prefix is longer than 256 characters", longDestination.Problem, StringComparison.Ordinal);
    }

    /// <summary>
    /// A destination prefix of 256 characters ending in '/' makes every name of its rule longer than ECR allows: refused
    /// when the mapping is read, not name by name at replication time; and a source prefix like it matches no name.
    /// </summary>
    [Fact]
    public void A_prefix_of_the_longest_length_that_no_name_can_start_is_refused_when_the_mapping_is_read()
    {
        var separated = new string('b', EcrNames.MaxRepositoryNameLength - 1) + "/";

        var destination = Assert.Throws<SettingException>(() => RepositoryMapping.Parse($"team/={separated}"));
        Assert.Contains("the destination prefix is 256 characters and not a repository name itself", destination.Problem, StringComparison.Ordinal);
        var source = Assert.Throws<SettingException>(() => RepositoryMapping.Parse($"{separated}=x/"));
        Assert.Contains("the source prefix is 256 characters and not a repository name itself", source.Problem, StringComparison.Ordinal);

        // One character shorter, the prefix starts 256-character names: "team/a" becomes one.
        var shorter = separated[1..];
        Assert.Equal(shorter + "a", RepositoryMapping.Parse($"team/={shorter}").Map("team/a"));
    }
}
