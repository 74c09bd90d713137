using Replicator.Cli.Tests.Support;
using Replicator.Core.Ecr;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Smoke;

/// <summary>
/// scripts/smoke-test.sh end to end without AWS: the stack description is a describe-stacks document, ECR is a
/// LocalEcr on a free port (for the CLI and the AWS CLI alike, through AWS_ENDPOINT_URL_ECR), and the push's SQS event
/// reaches the function (the build's bootstrap) through the loopback Runtime API, as Lambda would deliver it.
/// </summary>
public sealed class SmokeTestScriptTests : IAsyncLifetime
{
    private const string Repository = "scratch/smoke";
    private readonly string _work = Directory.CreateTempSubdirectory("replicator-smoke-").FullName;
    private CliHarness _ecr = null!;

    public async Task InitializeAsync() => _ecr = await CliHarness.StartAsync();

    public async Task DisposeAsync()
    {
        await _ecr.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task Pushes_to_the_scratch_repository_sees_it_replicated_prints_the_latency_and_cleans_up()
    {
        var run = await SmokeTest(selected: "team/*,scratch/*");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("in sync: 2 tag(s) checked", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"replication latency: \d+\.\ds", run.Output);
        Assert.Contains("function ecr-replicator-ReplicatorFunction-1", run.Error, StringComparison.Ordinal);
        foreach (var region in new[] { CliHarness.Source, CliHarness.West, CliHarness.Europe })
        {
            await AssertRepositoryGone(region);
        }
    }

    [Fact]
    public async Task Without_SMOKE_REPOSITORY_the_scratch_repository_is_taken_under_the_stacks_first_prefix_pattern()
    {
        // The README's one command against samconfig.toml's example selection: no SMOKE_REPOSITORY to set.
        const string derived = "team/ecr-replicator-smoke";
        var run = await SmokeTest(selected: "team/*,base/nginx", repository: null);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"pushing {derived}:", run.Error, StringComparison.Ordinal);
        Assert.Matches(@"replication latency: \d+\.\ds", run.Output);
        foreach (var region in new[] { CliHarness.Source, CliHarness.West, CliHarness.Europe })
        {
            await AssertRepositoryGone(region, derived);
        }
    }

    [Fact]
    public async Task Prints_the_latency_with_a_bsd_date_that_has_no_nanoseconds()
    {
        // macOS's BSD date has no %N and prints it as a literal N (`date +%s.%N` gives 1700000000.N): a stand-in date
        // first on PATH behaves so, and the script must still measure and print the latency.
        var bin = await WriteStandInAsync("date", (real, calls) => $$"""
            #!/bin/sh
            echo "$*" >> "{{calls}}"
            case "$*" in *%N*) exec "{{real}}" "$(printf '%s' "$*" | sed 's/%N/N/g')" ;; esac
            exec "{{real}}" "$@"
            """);

        var run = await SmokeTest(selected: "scratch/*", path: bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"replication latency: \d+\.\ds", run.Output);
        Assert.True(File.Exists(Path.Combine(bin, "date-calls")), "the script did not run the stand-in date");
    }

    [Fact]
    public async Task Reaches_the_endpoint_override_with_an_aws_cli_that_ignores_the_endpoint_variables()
    {
        // AWS CLIs before 1.29 / 2.13 (Debian 12 packages 2.9) do not read AWS_ENDPOINT_URL_ECR or AWS_ENDPOINT_URL:
        // a stand-in aws first on PATH drops both, so only an explicit --endpoint-url reaches LocalEcr. One attempt,
        // so that a call to the real ECR fails at once.
        var bin = await WriteStandInAsync("aws", (real, calls) => $$"""
            #!/bin/sh
            unset AWS_ENDPOINT_URL_ECR AWS_ENDPOINT_URL
            echo "$*" >> "{{calls}}"
            AWS_MAX_ATTEMPTS=1 exec "{{real}}" "$@"
            """);

        var run = await SmokeTest(selected: "scratch/*", path: bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("in sync: 2 tag(s) checked", run.Output, StringComparison.Ordinal);
        var calls = await File.ReadAllLinesAsync(Path.Combine(bin, "aws-calls"));
        Assert.Contains(calls, call => call.Contains("ecr --endpoint-url " + _ecr.Server.BaseAddress + " delete-repository", StringComparison.Ordinal));
        foreach (var region in new[] { CliHarness.Source, CliHarness.West, CliHarness.Europe })
        {
            await AssertRepositoryGone(region);
        }
    }

    /// <summary>
    /// The stack described by the AWS CLI itself, as on a real account, with AWS_REGION set: an AWS CLI v1 (Debian's
    /// awscli) reads only AWS_DEFAULT_REGION, so describe-stacks must be given --region, as the ecr calls are. The
    /// stand-in answers describe-stacks only when given the region, as v1 would fail without it.
    /// </summary>
    [Fact]
    public async Task Describes_the_stack_in_AWS_REGION_with_an_aws_cli_that_reads_only_AWS_DEFAULT_REGION()
    {
        var description = Path.Combine(_work, "stack.json");
        var bin = await WriteStandInAsync("aws", (real, calls) => $$"""
            #!/bin/sh
            echo "$*" >> "{{calls}}"
            if [ "$1" = cloudformation ]; then
              case " $* " in
                *" --region {{CliHarness.Source}} "*) exec cat "{{description}}" ;;
                *) echo "You must specify a region. You can also configure your region by running \"aws configure\"." >&2; exit 255 ;;
              esac
            fi
            exec "{{real}}" "$@"
            """);

        var run = await SmokeTest(selected: "scratch/*", path: bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"), describedByAws: true);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("in sync: 2 tag(s) checked", run.Output, StringComparison.Ordinal);
        var calls = await File.ReadAllLinesAsync(Path.Combine(bin, "aws-calls"));
        Assert.Contains(calls, call => call.StartsWith("cloudformation describe-stacks", StringComparison.Ordinal) && call.Contains("--region " + CliHarness.Source, StringComparison.Ordinal));
    }

    /// <summary>
    /// Writes an executable <paramref name="name"/> into a fresh directory to put first on PATH: the script that
    /// <paramref name="script"/> gives for the real program's path and the file each call is to be recorded in.
    /// </summary>
    private async Task<string> WriteStandInAsync(string name, Func<string, string, string> script)
    {
        var real = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name)).First(File.Exists);
        var bin = Directory.CreateDirectory(Path.Combine(_work, "bin")).FullName;
        var standIn = Path.Combine(bin, name);
        await File.WriteAllTextAsync(standIn, script(real, Path.Combine(bin, name + "-calls")));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(standIn, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return bin;
    }

    [Fact]
    public async Task Refuses_a_scratch_repository_the_stack_does_not_replicate_and_pushes_nothing()
    {
        var run = await SmokeTest(selected: "*,!scratch/*");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error: stack ecr-replicator does not replicate scratch/smoke", run.Error, StringComparison.Ordinal);
        await AssertRepositoryGone(CliHarness.Source);
    }

    [Fact]
    public async Task Refuses_a_smoke_tag_the_stacks_TagFilter_does_not_match_whole_and_pushes_nothing()
    {
        // v.* matches "v1" but not "smoke-<time>", and "xv1" neither: the function matches the whole tag.
        var filter = """{"ParameterKey": "TagFilter", "ParameterValue": "v.*"},""";
        var byDefault = await SmokeTest(selected: "scratch/*", parameters: filter);
        var inside = await SmokeTest(selected: "scratch/*", parameters: filter, tag: "xv1");

        foreach (var (run, tag) in new[] { (byDefault, "smoke-"), (inside, "xv1") })
        {
            Assert.Equal(1, run.ExitCode);
            Assert.Contains($"error: stack ecr-replicator does not replicate tag {tag}", run.Error, StringComparison.Ordinal);
            Assert.Contains("(TagFilter=v.* must match the whole tag): set SMOKE_TAG", run.Error, StringComparison.Ordinal);
        }

        await AssertRepositoryGone(CliHarness.Source);
    }

    [Fact]
    public async Task A_SMOKE_TAG_the_stacks_TagFilter_matches_is_pushed_replicated_and_verified()
    {
        var run = await SmokeTest(selected: "scratch/*", parameters: """{"ParameterKey": "TagFilter", "ParameterValue": "v[0-9]+-smoke"},""", tag: "v1-smoke");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("pushing scratch/smoke:v1-smoke", run.Error, StringComparison.Ordinal);
        Assert.Contains("in sync: 2 tag(s) checked", run.Output, StringComparison.Ordinal);
        await AssertRepositoryGone(CliHarness.Source);
    }

    [Fact]
    public async Task With_the_stacks_RepositoryMapping_verifies_and_cleans_up_the_mapped_name_and_names_the_destinations_it_does_not_check()
    {
        // scratch/ is the longest prefix of scratch/smoke; the catch-all would give backup/scratch/smoke.
        var run = await SmokeTest(
            selected: "scratch/*",
            parameters: """
                {"ParameterKey": "RepositoryMapping", "ParameterValue": "scratch/=mirror/scratch/,=backup/"},
                {"ParameterKey": "OtherAccountDestinations", "ParameterValue": "222222222222:us-west-2"},
                {"ParameterKey": "OtherPartitionDestinations", "ParameterValue": "cn-north-1"},
                """);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("in sync: 2 tag(s) checked", run.Output, StringComparison.Ordinal);
        Assert.Contains("the destinations hold it as mirror/scratch/smoke", run.Error, StringComparison.Ordinal);
        var note = Assert.Single(run.Error.Split('\n'), l => l.StartsWith("note: ", StringComparison.Ordinal));
        Assert.StartsWith("note: checks only the same-account DestinationRegions; not checked: 222222222222:us-west-2,cn-north-1", note, StringComparison.Ordinal);
        Assert.Contains($"cleaned up {Repository} in {CliHarness.Source}", run.Error, StringComparison.Ordinal);
        await AssertRepositoryGone(CliHarness.Source);
        foreach (var region in new[] { CliHarness.West, CliHarness.Europe })
        {
            Assert.Contains($"cleaned up mirror/scratch/smoke in {region}", run.Error, StringComparison.Ordinal);
            await AssertRepositoryGone(region, "mirror/scratch/smoke");

            // The script deletes only the mapped name in destinations: the source name's absence means nothing wrote it.
            await AssertRepositoryGone(region);
            await AssertRepositoryGone(region, "backup/scratch/smoke");
        }
    }

    [Fact]
    public async Task Refuses_a_repository_that_exists_already_in_the_source_and_deletes_nothing()
    {
        // A mistyped SMOKE_REPOSITORY naming a real repository: the cleanup would delete it, images and all.
        var image = CliHarness.Single(seed: 7);
        await _ecr.PushAsync(CliHarness.Source, Repository, image, "prod");

        var run = await SmokeTest(selected: "scratch/*");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"error: repository {Repository} exists in {CliHarness.Source} already", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("cleaned up", run.Error, StringComparison.Ordinal);
        Assert.Equal(image.Digest, await _ecr.TagDigestAsync(CliHarness.Source, Repository, "prod"));
    }

    [Fact]
    public async Task Refuses_a_mapped_name_that_exists_already_in_a_destination_and_deletes_nothing()
    {
        var image = CliHarness.Single(seed: 8);
        await _ecr.PushAsync(CliHarness.Europe, "mirror/scratch/smoke", image, "kept");

        var run = await SmokeTest(selected: "scratch/*", parameters: """{"ParameterKey": "RepositoryMapping", "ParameterValue": "scratch/=mirror/scratch/"},""");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"error: repository mirror/scratch/smoke exists in {CliHarness.Europe} already", run.Error, StringComparison.Ordinal);
        Assert.Equal(image.Digest, await _ecr.TagDigestAsync(CliHarness.Europe, "mirror/scratch/smoke", "kept"));
        await AssertRepositoryGone(CliHarness.Source);
    }

    [Fact]
    public async Task A_scratch_repository_it_could_not_delete_is_reported_and_fails_the_run()
    {
        // Replicated and verified, but the cleanup is refused in one destination (a role without ecr:DeleteRepository
        // there): the repository left behind is named, and the run fails rather than passing silently.
        _ecr.Server.Faults.FailNext("DeleteRepository", 10, "AccessDeniedException", region: CliHarness.West);

        var run = await SmokeTest(selected: "scratch/*");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("in sync: 2 tag(s) checked", run.Output, StringComparison.Ordinal);
        Assert.Contains($"warning: could not delete the scratch repository {Repository} in {CliHarness.West}", run.Error, StringComparison.Ordinal);
        Assert.Contains($"cleaned up {Repository} in {CliHarness.Europe}", run.Error, StringComparison.Ordinal);
        await AssertRepositoryGone(CliHarness.Source);
    }

    [Fact]
    public async Task A_verify_that_stops_with_an_error_ends_the_wait_at_once_with_its_reason()
    {
        // verify's exit 2 is an error that stopped the check, not drift: polling it until SMOKE_TIMEOUT (300 s by
        // default) would only delay its reason. Here a destination answers every listing with an error that stops the
        // check (an AccessDenied would be drift instead: "unreadable", exit 1), and the timeout is far beyond the test's own.
        _ecr.Server.Faults.FailNext("DescribeImages", 1000, "InvalidParameterException", region: CliHarness.West);

        var run = await SmokeTest(selected: "scratch/*", timeoutSeconds: 3600);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error: replicator verify stopped with exit 2 (above)", run.Error, StringComparison.Ordinal);
        Assert.Contains("InvalidParameterException", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("was not replicated", run.Error, StringComparison.Ordinal);
        await AssertRepositoryGone(CliHarness.Source);
    }

    [Fact]
    public async Task A_destination_verify_cannot_read_ends_the_wait_at_once_with_its_reason()
    {
        // verify exits 1 for an unreadable destination as for drift, but a denied listing is not mended by waiting for
        // the function: the script ends on the unreadable line rather than polling until SMOKE_TIMEOUT, far beyond the
        // test's own here.
        _ecr.Server.Faults.FailNext("DescribeImages", 1000, "AccessDeniedException", region: CliHarness.West);

        var run = await SmokeTest(selected: "scratch/*", timeoutSeconds: 3600);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"unreadable: {CliHarness.West} ({Repository}): DescribeImages: AccessDeniedException", run.Error, StringComparison.Ordinal);
        Assert.Contains("error: replicator verify could not read a destination (the unreadable line above)", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("was not replicated", run.Error, StringComparison.Ordinal);
        await AssertRepositoryGone(CliHarness.Source);
    }

    /// <summary>
    /// A timeout that is not a whole number of seconds stops the script before anything is pushed: bash arithmetic read
    /// "10m" as a syntax error after the push, and "abc" as 0, ending the wait after one verify.
    /// </summary>
    [Theory]
    [InlineData("SMOKE_TIMEOUT", "10m", "SMOKE_TIMEOUT must be a whole number of seconds, not '10m'")]
    [InlineData("SMOKE_TIMEOUT", "abc", "SMOKE_TIMEOUT must be a whole number of seconds, not 'abc'")]
    [InlineData("SMOKE_INVOKE_TIMEOUT", "15m", "SMOKE_INVOKE_TIMEOUT must be a whole number of seconds greater than 0, not '15m'")]
    [InlineData("SMOKE_INVOKE_TIMEOUT", "0", "SMOKE_INVOKE_TIMEOUT must be a whole number of seconds greater than 0, not '0'")]
    public async Task A_timeout_that_is_not_a_whole_number_of_seconds_is_refused_before_anything_is_pushed(string variable, string value, string expected)
    {
        var run = await SmokeTest(selected: "scratch/*", settings: new() { [variable] = value });

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"error: {expected}", Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        await AssertRepositoryGone(CliHarness.Source);
    }

    /// <summary>
    /// A stack description that is not describe-stacks' JSON stops the script with one line naming the file and what
    /// is wrong with it, before anything is pushed: each read of it stopped with a Python traceback.
    /// </summary>
    [Theory]
    [InlineData("Stacks:", "it is not JSON (Expecting value at line 1 column 1)")]
    [InlineData("""{"Stacks": []}""", "it has no Stacks[0].StackId ARN, as describe-stacks gives")]
    [InlineData("""[{"StackId": "arn:aws:cloudformation:us-east-1:000000000000:stack/x/y"}]""", "it has no Stacks[0].StackId ARN, as describe-stacks gives")]
    [InlineData("""{"Stacks": [{"StackId": "arn:aws:cloudformation::000000000000:stack/x/y"}]}""", "its StackId 'arn:aws:cloudformation::000000000000:stack/x/y' names no region")]
    [InlineData("""{"Stacks": [{"StackId": "arn:aws:cloudformation:us-east-1:000000000000:stack/x/y", "Parameters": [{"ParameterValue": "us-west-2"}]}]}""", "its Parameters are not a list of objects each with a ParameterKey, as describe-stacks gives")]
    [InlineData("""{"Stacks": [{"StackId": "arn:aws:cloudformation:us-east-1:000000000000:stack/x/y", "Parameters": {"DestinationRegions": "us-west-2"}}]}""", "its Parameters are not a list of objects each with a ParameterKey, as describe-stacks gives")]
    [InlineData("""{"Stacks": [{"StackId": "arn:aws:cloudformation:us-east-1:000000000000:stack/x/y", "Outputs": [{"OutputKey": "ReplicatorFunctionName", "OutputValue": "f"}, {"OutputValue": "g"}]}]}""", "its Outputs are not a list of objects each with an OutputKey, as describe-stacks gives")]
    public async Task A_stack_description_that_is_not_describe_stacks_json_is_refused_in_one_line_before_anything_is_pushed(string content, string expected)
    {
        var run = await SmokeTest(selected: "scratch/*", description: content);

        Assert.Equal(1, run.ExitCode);
        var file = Path.Combine(_work, "stack.json");
        Assert.Equal($"error: cannot read the description of stack ecr-replicator from {file}: {expected}", Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        await AssertRepositoryGone(CliHarness.Source);
    }

    /// <param name="description">The file's content in place of a well-formed description of an ecr-replicator stack.</param>
    /// <param name="describedByAws">The stack's description comes from `aws cloudformation describe-stacks` (a stand-in on <paramref name="path"/>) in AWS_REGION, not from SMOKE_STACK_DESCRIPTION.</param>
    private async Task<ProcessRun> SmokeTest(string selected, string parameters = "", string? path = null, string? tag = null, string? repository = Repository, bool describedByAws = false, int timeoutSeconds = 0, Dictionary<string, string>? settings = null, string? description = null)
    {
        var descriptionFile = Path.Combine(_work, "stack.json");
        await File.WriteAllTextAsync(descriptionFile, description ?? $$"""
            {"Stacks": [{
              "StackName": "ecr-replicator",
              "StackId": "arn:aws:cloudformation:{{CliHarness.Source}}:000000000000:stack/ecr-replicator/6e1b2d40-0000-0000-0000-000000000000",
              "Parameters": [{{parameters}}
                {"ParameterKey": "RepositoryFilter", "ParameterValue": "{{selected}}"},
                {"ParameterKey": "DestinationRegions", "ParameterValue": "{{CliHarness.West}},{{CliHarness.Europe}}"}
              ],
              "Outputs": [{"OutputKey": "ReplicatorFunctionName", "OutputValue": "ecr-replicator-ReplicatorFunction-1"}]
            }]}
            """);
        var environment = new Dictionary<string, string>
        {
            ["SMOKE_STACK_DESCRIPTION"] = descriptionFile,
            ["SMOKE_INVOKE"] = "local",
            // The local invocation returns after the copy, so the first verify must already be in sync.
            ["SMOKE_TIMEOUT"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AWS_ENDPOINT_URL_ECR"] = _ecr.Server.BaseAddress.ToString(),
            ["AWS_ACCESS_KEY_ID"] = CliHarness.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = CliHarness.SecretKey,
            ["REPLICATOR"] = "dotnet " + BuildOutput.ProjectFile("src", "Replicator.Cli", "replicator.dll"),
            ["BOOTSTRAP"] = BuildOutput.ProjectFile("src", "Replicator.Function", "bootstrap"),
            ["NO_BUILD"] = "1",
            // The host invoke-local.sh starts without building is this run's build of it, whatever the configuration.
            ["CONFIGURATION"] = BuildOutput.Configuration,
            ["NO_COLOR"] = "1",
        };
        foreach (var (name, value) in ProcessRun.NoSharedAwsFiles(_work))
        {
            environment[name] = value;
        }

        if (path is not null)
        {
            environment["PATH"] = path;
        }

        if (describedByAws)
        {
            environment.Remove("SMOKE_STACK_DESCRIPTION");
            environment["AWS_REGION"] = CliHarness.Source;
        }

        if (tag is not null)
        {
            environment["SMOKE_TAG"] = tag;
        }

        if (repository is not null)
        {
            environment["SMOKE_REPOSITORY"] = repository;
        }

        foreach (var (name, value) in settings ?? [])
        {
            environment[name] = value;
        }

        return await ProcessRun.RunAsync("bash", ["scripts/smoke-test.sh", "ecr-replicator"], RepositoryRoot.Path, environment, ProcessRun.InheritedAwsVariables());
    }

    private async Task AssertRepositoryGone(string region, string repository = Repository)
    {
        var missing = await Assert.ThrowsAsync<EcrException>(() => _ecr.Client(region).DescribeRepositoriesAsync(new() { RepositoryNames = [repository] }));
        Assert.Equal(EcrErrorCodes.RepositoryNotFoundException, missing.ErrorCode);
    }
}
