using Replicator.Cli.Tests.Support;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// The shared config file's <c>ca_bundle</c> (docs.aws.amazon.com/sdkref/latest/guide/feature-gen-config.html), which
/// the AWS CLI reads when <c>AWS_CA_BUNDLE</c> is not set (botocore/configprovider.py,
/// <c>'ca_bundle': ('ca_bundle', 'AWS_CA_BUNDLE', None, None)</c>). The CLI runs in-process on an in-memory
/// environment: it writes the key's path there as <c>AWS_CA_BUNDLE</c> (the process's, outside tests, where AWSSDK's
/// clients read it; ProfileCredentialsTests shows AWSSDK's STS call trusting it in a child process), and no test sees
/// another's variables.
/// </summary>
public sealed class CaBundleProfileTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("replicator-ca-bundle-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>
    /// LocalEcr behind a TLS front of a private root, as behind a TLS-inspecting proxy: with the root as the default
    /// profile's <c>ca_bundle</c> the copy goes through the front; with <c>AWS_CA_BUNDLE</c> naming another root as well,
    /// the variable wins, as in the AWS CLI, and the same front is refused. Before, the key was not read and the
    /// first copy failed its TLS handshake.
    /// </summary>
    [Fact]
    public async Task The_profiles_ca_bundle_is_trusted_and_AWS_CA_BUNDLE_wins_over_it()
    {
        await using var h = await CliHarness.StartAsync();
        await using var proxy = TlsFront.Start(h.Server.BaseAddress.Port);
        var image = CliHarness.Single(301);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        var root = Write("proxy-root.pem", proxy.RootPem);
        var unrelated = Write("unrelated-root.pem", TlsFront.UnrelatedRootPem());
        Write("config", $"[default]\nregion = {CliHarness.Source}\nca_bundle = {root}\n");
        string[] copy = ["copy", "app:v1", "--source-region", CliHarness.Source];

        var fromProfile = Environment(proxy);
        var trusted = await h.RunWithAsync(fromProfile, null, [.. copy, "--destination-region", CliHarness.West]);

        Assert.True(trusted.ExitCode == 0, trusted.ToString());
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "app", "v1"));
        Assert.Equal([("AWS_CA_BUNDLE", root)], fromProfile.Writes.Where(w => w.Name == "AWS_CA_BUNDLE").Select(w => (w.Name, w.Value)));

        var fromVariable = Environment(proxy, ("AWS_CA_BUNDLE", unrelated));
        // A refused handshake is retried as transient: the retries' waits pass at once.
        var refused = await h.RunCancellableAsync(fromVariable, new WaitsElapseAtOnceClock(), CancellationToken.None, [.. copy, "--destination-region", CliHarness.Europe]);

        Assert.True(refused.ExitCode == 2, refused.ToString());
        refused.AssertOneLineError("ConnectionFailure: the TLS handshake with the ECR endpoint failed", progressPrefix: "retrying ");
        Assert.Equal(0, h.WritesTo(CliHarness.Europe));
        Assert.DoesNotContain(fromVariable.Writes, w => w.Name == "AWS_CA_BUNDLE");
    }

    /// <summary>
    /// A bundle that cannot be read, or holds no certificate, stops the command before any call with one line naming
    /// the setting: the profile's key with its profile and file, or the variable. Before, the key was not read (the copy
    /// went ahead trusting the system's authorities) and a bad variable surfaced as the engine's
    /// "SettingException: ..." when its client was built.
    /// </summary>
    [Theory]
    [InlineData("profile", null, "could not be read as a PEM file of certificates")]
    [InlineData("profile", "not a certificate\n", "holds no PEM certificate")]
    [InlineData("variable", null, "could not be read as a PEM file of certificates")]
    public async Task A_bundle_that_cannot_be_used_is_a_usage_error_naming_the_setting_before_any_call(string setting, string? content, string problem)
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(302), "v1");
        var bundle = Path.Combine(_work, "bundle.pem");
        if (content is not null)
        {
            File.WriteAllText(bundle, content);
        }

        var config = setting == "profile"
            ? Write("config", $"[default]\nregion = us-west-1\n\n[profile ops]\nregion = {CliHarness.Source}\nca_bundle = {bundle}\n")
            : Write("config", $"[profile ops]\nregion = {CliHarness.Source}\n");
        var environment = h.Environment(
            ("AWS_CONFIG_FILE", config),
            ("AWS_SHARED_CREDENTIALS_FILE", Path.Combine(_work, "credentials")),
            ("AWS_PROFILE", "ops"));
        if (setting == "variable")
        {
            environment.SetEnvironmentVariable("AWS_CA_BUNDLE", bundle);
        }

        var calls = h.Server.Calls.Total;
        var run = await h.RunWithAsync(environment, null, "copy", "app:v1", "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 2, run.ToString());
        var named = setting == "profile" ? $"ca_bundle of profile ops in the shared config file {config}" : "AWS_CA_BUNDLE";
        run.AssertOneLineError(named);
        Assert.StartsWith($"error: {named} names {bundle}, which {problem}", run.Error, StringComparison.Ordinal);
        Assert.Equal(calls, h.Server.Calls.Total);
    }

    /// <summary>
    /// <c>AWS_CA_BUNDLE=~/proxy-root.pem</c> (quoted, so the shell left the tilde): the AWS CLI opens it in the home
    /// directory, as urllib3 expands it; the CLI writes the expanded path back, for AWSSDK's clients and its own.
    /// Before, the engine looked for a directory named "~" and the command stopped.
    /// </summary>
    [Fact]
    public async Task A_bundle_variable_starting_with_a_tilde_is_read_from_the_home_directory()
    {
        await using var h = await CliHarness.StartAsync();
        await using var proxy = TlsFront.Start(h.Server.BaseAddress.Port);
        var image = CliHarness.Single(303);
        await h.PushAsync(CliHarness.Source, "app", image, "v1");
        var root = Write("proxy-root.pem", proxy.RootPem);
        var environment = Environment(proxy, ("AWS_CA_BUNDLE", "~/proxy-root.pem"), ("HOME", _work));

        var run = await h.RunWithAsync(environment, null, "copy", "app:v1", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "app", "v1"));
        Assert.Equal(root, environment.GetEnvironmentVariable("AWS_CA_BUNDLE"));
    }

    private DictionaryEnvironmentVariables Environment(TlsFront proxy, params (string Name, string Value)[] extra) =>
        DictionaryEnvironmentVariables.Of(new Dictionary<string, string>(extra.Select(e => KeyValuePair.Create(e.Name, e.Value)))
        {
            ["AWS_ENDPOINT_URL_ECR"] = proxy.Endpoint.ToString(),
            ["AWS_CONFIG_FILE"] = Path.Combine(_work, "config"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_work, "credentials"),
        });

    private string Write(string name, string content)
    {
        var path = Path.Combine(_work, name);
        File.WriteAllText(path, content);
        return path;
    }
}
