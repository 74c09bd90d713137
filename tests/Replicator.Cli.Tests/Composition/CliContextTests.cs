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

    /// <summary>
    /// The shared files' variables are written back with a leading ~/ as the home directory, for AWSSDK.Core's profile
    /// store (ProfileCredentialsTests runs that end to end), while the new context's own reads still give the value as
    /// written, for SharedConfigFile to expand once; a path without one, and an unset variable, stay as they are.
    /// </summary>
    [Fact]
    public void Shared_file_variables_starting_with_a_tilde_are_written_back_under_the_home_directory()
    {
        var home = Path.Combine(Path.GetTempPath(), "home-of-cli-tests");
        var environment = new DictionaryEnvironmentVariables([
            KeyValuePair.Create("HOME", (string?)home),
            KeyValuePair.Create("AWS_CONFIG_FILE", (string?)"~/aws/config"),
            KeyValuePair.Create("AWS_SHARED_CREDENTIALS_FILE", (string?)"/etc/aws/credentials"),
        ]);

        var context = Context(environment).WithSharedFilePaths();

        Assert.Equal(Path.Combine(home, "aws/config"), environment.GetEnvironmentVariable("AWS_CONFIG_FILE"));
        Assert.Equal("~/aws/config", context.Environment.GetEnvironmentVariable("AWS_CONFIG_FILE"));
        Assert.Equal("/etc/aws/credentials", environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE"));
        context.Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", "/etc/aws/config");
        Assert.Equal("/etc/aws/config", context.Environment.GetEnvironmentVariable("AWS_CONFIG_FILE"));

        var unset = new DictionaryEnvironmentVariables([KeyValuePair.Create("HOME", (string?)home)]);
        var unchanged = Context(unset);
        Assert.Same(unchanged, unchanged.WithSharedFilePaths());
        Assert.Null(unset.GetEnvironmentVariable("AWS_CONFIG_FILE"));
        Assert.Null(unset.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE"));
    }

    /// <summary>
    /// The bundle the check read is the one the engine trusts, not parsed a second time: the file is gone by the time
    /// the command's services are built, which reading it again would refuse.
    /// </summary>
    [Fact]
    public void The_ca_bundle_read_by_the_check_is_kept_for_the_engine_and_not_read_again()
    {
        var bundle = Path.Combine(Path.GetTempPath(), $"ca-bundle-{Guid.NewGuid():N}.pem");
        File.WriteAllText(bundle, TlsFront.UnrelatedRootPem());
        var environment = new DictionaryEnvironmentVariables([
            KeyValuePair.Create("AWS_REGION", (string?)"us-east-1"),
            KeyValuePair.Create("AWS_CA_BUNDLE", (string?)bundle),
        ]);
        var context = Context(environment);

        context.ApplyCaBundle();
        File.Delete(bundle);

        Assert.Single(context.TrustedRoots!);
        using var services = new CliServices(context);
        Assert.NotNull(services.Replicator);
    }

    private static CliContext Context(DictionaryEnvironmentVariables environment) => new()
    {
        Environment = environment,
        Out = TextWriter.Null,
        Error = TextWriter.Null,
        Credentials = CliHarness.Credentials,
    };
}
