using Replicator.Cli.Tests.Support;
using Replicator.Core.Configuration;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>Bad arguments: exit 2, one line on stderr, no stack trace, nothing called.</summary>
public sealed class ArgumentErrorTests
{
    [Theory]
    [InlineData("--repository", "Bad_Name", "--repository: repository name 'Bad_Name' is invalid")]
    [InlineData("--destination-region", "us-east-1", "--destination-region us-east-1 is the source region")]
    [InlineData("--destination-region", "nowhere", "region 'nowhere' is not an AWS region name")]
    [InlineData("--destination-region", "12:us-west-2", "account (registry id) '12' is invalid")]
    [InlineData("--tag-filter", "([", "--tag-filter '([' is not a valid regular expression: unterminated bracket at character 2")]
    [InlineData("--since", "yesterday", "--since 'yesterday' is not an ISO 8601 date")]
    [InlineData("--parallel", "0", "--parallel must be a whole number from 1 to 64, not '0'")]
    [InlineData("--parallel", "abc", "--parallel must be a whole number from 1 to 64, not 'abc'")]
    [InlineData("--parallel", "99999999999", "--parallel must be a whole number from 1 to 64, not '99999999999'")]
    [InlineData("--parallel", "65", "--parallel must be a whole number from 1 to 64, not '65'")]
    [InlineData("--parallel", "1.5", "--parallel must be a whole number from 1 to 64, not '1.5'")]
    public async Task Sync_refuses_bad_options(string option, string value, string expected)
    {
        await using var h = await CliHarness.StartAsync();

        var args = new List<string> { "sync", "--source-region", CliHarness.Source, option, value };
        if (option != "--destination-region")
        {
            args.AddRange(["--destination-region", CliHarness.West]);
        }

        var run = await h.RunAsync([.. args]);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError(expected);
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// Two mistakes at once (<c>replicator --profile</c>: no command, and the option without its value) are both named,
    /// on one line, each without its own full stop: ".;" between them read as a typo.
    /// </summary>
    [Fact]
    public async Task Two_parse_errors_share_one_line_without_a_stray_full_stop()
    {
        await using var h = await CliHarness.StartAsync();

        var run = await h.RunAsync(["--profile"]);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("Required command was not provided; Required argument missing for option: '--profile'");
        Assert.DoesNotContain(".;", run.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// <c>--option=</c> with an empty value (a script's <c>--tag-filter=$FILTER</c> with FILTER unset) is that option
    /// given empty, as getopt_long and the AWS CLI's argparse read it: refused in the option's own words, before any
    /// call. System.CommandLine took the next word as the value instead, even another option: <c>--tag-filter=
    /// --dry-run</c> ran a sync that was no dry run, and the others named a word that was not wrong.
    /// </summary>
    [Theory]
    [InlineData("--tag-filter=", "--dry-run", "--tag-filter is empty (''): give .* for every tag, or leave the option out")]
    [InlineData("--tag-filter:", "--dry-run", "--tag-filter is empty (''): give .* for every tag, or leave the option out")]
    [InlineData("--since=", "--dry-run", "--since is empty (''): give a date such as 2025-01-31, or leave the option out")]
    [InlineData("--repository-prefix=", "--dry-run", "--repository-prefix is empty (''): leave the option out to select every repository")]
    [InlineData("--parallel=", "--dry-run", "--parallel must be a whole number from 1 to 64, not ''")]
    [InlineData("--source-region=", "--dry-run", "--source-region: region is missing")]
    [InlineData("--profile=", "--dry-run", "--profile needs the name of a profile")]
    public async Task An_option_given_an_empty_value_with_equals_is_refused_as_empty_and_does_not_take_the_next_word(string option, string next, string expected)
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "aa", CliHarness.Single(71), "v1");
        var before = h.Server.Calls.Total;
        string[] source = option.StartsWith("--source-region", StringComparison.Ordinal) ? [] : ["--source-region", CliHarness.Source];

        var run = await h.RunAsync(["sync", .. source, "--destination-region", CliHarness.West, option, next]);

        Assert.True(run.ExitCode == 2, run.ToString());
        run.AssertOneLineError(expected);
        Assert.Equal(before, h.Server.Calls.Total);
        Assert.Null(await h.TagDigestAsync(CliHarness.West, "aa", "v1"));
    }

    [Fact]
    public async Task An_empty_destination_region_with_equals_is_refused_as_an_empty_entry_not_as_the_word_after_it()
    {
        await using var h = await CliHarness.StartAsync();

        var run = await h.RunAsync("verify", "--source-region", CliHarness.Source, "--destination-region=", "--repository", "aa");

        Assert.True(run.ExitCode == 2, run.ToString());
        run.AssertOneLineError("--destination-region has an empty entry");
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// --seed takes any ulong, so every bad value is no number of that type: System.CommandLine's own conversion
    /// reported them as "Cannot parse argument '-1' for option '--seed' as expected type 'System.UInt64'.".
    /// </summary>
    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("18446744073709551616")]
    public async Task Push_sample_refuses_a_seed_that_is_no_whole_number_of_its_range_in_one_line_naming_the_range(string value)
    {
        await using var h = await CliHarness.StartAsync();

        var run = await h.RunAsync("push-sample", "my-app:v1", "--source-region", CliHarness.Source, "--seed", value);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError($"error: --seed must be a whole number from 0 to 18446744073709551615, not '{value}'");
        Assert.DoesNotContain("System.", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, h.Server.Calls.Total);
    }

    /// <summary>
    /// push-sample takes REPOSITORY:TAG only, so an image without a tag is told that form alone: offered
    /// REPOSITORY@DIGEST as well, a user who gave one was then refused for it. A digest, even a malformed one, gets
    /// push-sample's reason, not a complaint about the digest that a well-formed one would not fix.
    /// </summary>
    [Theory]
    [InlineData("my-app", "error: image 'my-app' must be REPOSITORY:TAG")]
    [InlineData("my-app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "error: push-sample needs REPOSITORY:TAG (the sample's digest is fixed by its seed)")]
    [InlineData("my-app@latest", "error: push-sample needs REPOSITORY:TAG (the sample's digest is fixed by its seed)")]
    public async Task Push_sample_asks_only_for_the_form_it_takes(string image, string expected)
    {
        await using var h = await CliHarness.StartAsync();

        var run = await h.RunAsync("push-sample", image, "--source-region", CliHarness.Source);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError(expected);
        Assert.DoesNotContain("DIGEST", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, h.Server.Calls.Total);
    }

    [Fact]
    public async Task Unknown_regions_are_refused_when_talking_to_AWS()
    {
        await using var h = await CliHarness.StartAsync();

        // No endpoint override: the region must be one AWSSDK.Core knows. Nothing is sent anywhere.
        var run = await h.RunWithAsync(new DictionaryEnvironmentVariables(), null, "verify", "--source-region", "us-east-1", "--destination-region", "us-moon-1");

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("--destination-region: region 'us-moon-1' is not a known AWS region");
    }

    [Fact]
    public async Task Missing_destination_and_source_regions_are_named()
    {
        await using var h = await CliHarness.StartAsync();

        var noDestination = await h.RunAsync("sync", "--source-region", CliHarness.Source);
        var noSource = await h.RunAsync("verify", "--destination-region", CliHarness.West);

        Assert.Equal(2, noDestination.ExitCode);
        noDestination.AssertOneLineError("at least one --destination-region is required");
        Assert.Equal(2, noSource.ExitCode);
        noSource.AssertOneLineError("--source-region is required (or set AWS_REGION, AWS_DEFAULT_REGION or the profile's region in the shared credentials or config file)");
    }

    [Fact]
    public async Task Unknown_options_and_commands_are_one_line_errors()
    {
        await using var h = await CliHarness.StartAsync();

        var unknownOption = await h.RunAsync("sync", "--bogus");
        var unknownCommand = await h.RunAsync("frobnicate");

        Assert.Equal(2, unknownOption.ExitCode);
        unknownOption.AssertOneLineError("error: unrecognized command or argument '--bogus' (see replicator sync --help)");
        Assert.Equal(2, unknownCommand.ExitCode);
        unknownCommand.AssertOneLineError("error: unrecognized command or argument 'frobnicate' (see replicator --help)");
        Assert.DoesNotContain("Required command", unknownCommand.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A word starting with '@' is a value like any other, as for the AWS CLI (which has no response files: it reads a
    /// file only where a parameter says file://). System.CommandLine reads such a word as a response file by default:
    /// <c>--since @1700000000</c> (date(1)'s epoch form) printed two errors, "Response file not found '1700000000'." and
    /// "Required argument missing for option: '--since'.", instead of --since's own, and an existing file's words
    /// became arguments: <c>copy @FILE</c> copied the image the file named.
    /// </summary>
    [Fact]
    public async Task A_value_starting_with_at_is_refused_in_the_option_s_own_words_not_read_as_a_response_file()
    {
        await using var h = await CliHarness.StartAsync();

        var run = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--since", "@1700000000");

        Assert.True(run.ExitCode == 2, run.ToString());
        run.AssertOneLineError("--since '@1700000000' is not an ISO 8601 date");
        Assert.DoesNotContain("Response file", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, h.Server.Calls.Total);
    }

    [Fact]
    public async Task An_argument_naming_a_file_with_at_is_not_replaced_by_the_file_s_words()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "aa", CliHarness.Single(72), "v1");
        var before = h.Server.Calls.Total;
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "aa:v1\n");

            var run = await h.RunAsync("copy", "@" + file, "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

            Assert.True(run.ExitCode == 2, run.ToString());
            run.AssertOneLineError(file);
            Assert.Equal(before, h.Server.Calls.Total);
            Assert.Null(await h.TagDigestAsync(CliHarness.West, "aa", "v1"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_malformed_endpoint_override_is_a_one_line_error_without_the_value()
    {
        await using var h = await CliHarness.StartAsync();
        var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_ECR"] = "ftp://user:secret@example" });

        var run = await h.RunWithAsync(environment, null, "verify", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("AWS_ENDPOINT_URL_ECR must be an absolute http or https URL");
        Assert.DoesNotContain("secret", run.Error, StringComparison.Ordinal);
    }

    /// <summary>A FIPS or dual-stack flag that is neither true nor false is a one-line usage error before any call, not a crash.</summary>
    [Theory]
    [InlineData("AWS_USE_FIPS_ENDPOINT")]
    [InlineData("AWS_USE_DUALSTACK_ENDPOINT")]
    public async Task An_endpoint_flag_that_is_neither_true_nor_false_is_a_one_line_error_naming_it(string variable)
    {
        await using var h = await CliHarness.StartAsync();
        var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { [variable] = "1" });

        var run = await h.RunWithAsync(environment, null, "verify", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError($"{variable} must be true or false, not '1'");
    }

    [Fact]
    public async Task A_named_repository_missing_at_the_source_is_an_error()
    {
        await using var h = await CliHarness.StartAsync();

        var run = await h.RunAsync("verify", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--repository", "ghost");

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("repository ghost does not exist in us-east-1");
    }

    /// <summary>
    /// A pattern that backtracks exponentially, (a+)+b on a run of a's without a b, outlasts the match timeout on such
    /// a tag on any machine: the run stops with one line naming the option and the tag, exit 2, nothing copied.
    /// </summary>
    [Fact]
    public async Task A_tag_filter_that_times_out_on_a_tag_is_a_one_line_error_naming_the_tag()
    {
        await using var h = await CliHarness.StartAsync();
        var tag = new string('a', 64);
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(7), tag);

        var run = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--tag-filter", "(a+)+b");

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError($"--tag-filter took longer than 1000 ms on tag '{tag}'; simplify the pattern");
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    [Fact]
    public async Task Help_goes_to_stdout_and_exits_zero()
    {
        await using var h = await CliHarness.StartAsync();

        var run = await h.RunAsync("sync", "--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[] { "--source-region", "--destination-region", "--repository", "--repository-prefix", "--repository-filter", "--tag-filter", "--since", "--dry-run", "--parallel", "--enqueue" })
        {
            Assert.Contains(option, run.Output, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// --help and --version run no command, so they read no profile: one this machine does not have, named by --profile
    /// or AWS_PROFILE (a shell set up for another account, say), does not turn the help into an error, as it does not
    /// for the AWS CLI's help. Nothing is injected for credentials, so a profile resolved would be refused.
    /// </summary>
    [Theory]
    [InlineData(true, "sync", "--help")]
    [InlineData(false, "verify", "--help")]
    [InlineData(false, "--version")]
    public async Task Help_and_version_read_no_profile_so_one_that_does_not_exist_does_not_stop_them(bool flag, params string[] command)
    {
        const string Missing = "replicator-help-no-such-profile-7d1f";
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = flag ? new DictionaryEnvironmentVariables() : DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_PROFILE"] = Missing });
        var context = new Replicator.Cli.Composition.CliContext { Environment = environment, Out = output, Error = error };

        var code = await Replicator.Cli.Commands.CliApp.RunAsync(flag ? [.. command, "--profile", Missing] : command, context, CancellationToken.None);

        Assert.True(code == 0, output.ToString() + error);
        Assert.Empty(error.ToString());
        Assert.NotEmpty(output.ToString());
    }
}
