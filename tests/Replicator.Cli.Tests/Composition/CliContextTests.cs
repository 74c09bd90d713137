using Replicator.Cli.Composition;
using Replicator.Cli.Tests.Support;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Composition;

/// <summary>
/// The profile a <see cref="CliContext"/> takes from <c>--profile</c> and from <c>AWS_DEFAULT_PROFILE</c>, read from an
/// in-memory environment with injected credentials (so nothing reaches the SDK's chain or the shared files).
/// </summary>
public sealed class CliContextTests
{
    /// <summary>A blank --profile (a script's <c>--profile "$PROFILE"</c> with PROFILE a space) names no profile: refused in the option's words, as an empty one is.</summary>
    [Theory]
    [InlineData(" ")]
    [InlineData("\t")]
    public void A_blank_profile_flag_is_refused_as_naming_no_profile(string blank)
    {
        var context = Context(new DictionaryEnvironmentVariables());

        var refused = Assert.Throws<UsageException>(() => context.WithProfile(blank));

        Assert.Equal("--profile needs the name of a profile of the AWS config or credentials file", refused.Message);
    }

    /// <summary>A profile named with one character is a name like any other: AWS_DEFAULT_PROFILE=p chooses it, as the AWS CLI does.</summary>
    [Fact]
    public void A_one_character_AWS_DEFAULT_PROFILE_chooses_that_profile()
    {
        var environment = new DictionaryEnvironmentVariables([
            KeyValuePair.Create("AWS_DEFAULT_PROFILE", (string?)" p "),
            KeyValuePair.Create("AWS_PROFILE", (string?)"default"),
        ]);

        Context(environment).CheckActiveProfile();

        Assert.Equal("p", environment.GetEnvironmentVariable("AWS_PROFILE"));
    }

    private static CliContext Context(DictionaryEnvironmentVariables environment) => new()
    {
        Environment = environment,
        Out = TextWriter.Null,
        Error = TextWriter.Null,
        Credentials = CliHarness.Credentials,
    };
}
