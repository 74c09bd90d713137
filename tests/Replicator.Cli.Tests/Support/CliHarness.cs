using LocalEcr;
using Replicator.Cli.Commands;
using Replicator.Cli.Composition;
using Replicator.Function.Enqueue;
using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Signing;
using Replicator.Samples;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Support;

/// <summary>A LocalEcr on a free loopback port and the CLI run in-process against it, output captured.</summary>
internal sealed class CliHarness : IAsyncDisposable
{
    public const string Source = "us-east-1";
    public const string West = "us-west-2";
    public const string Europe = "eu-west-1";

    private readonly HttpClient _http = new();

    private CliHarness(LocalEcrServer server)
    {
        Server = server;
        Clients = new EcrClientFactory(_http, Credentials, Environment());
    }

    public const string AccessKey = "AKIDCLITESTS";

    /// <summary>Distinctive, so that every run can check the secret never reaches its output.</summary>
    public const string SecretKey = "cli-secret-7f3a9c2e5b1d";

    public static StaticCredentialsSource Credentials { get; } = new(new AwsCredentials(AccessKey, SecretKey));

    public LocalEcrServer Server { get; }

    public EcrClientFactory Clients { get; }

    /// <summary>Starts LocalEcr; <paramref name="time"/> is its clock (push times, download URL expiry), the system's by default.</summary>
    public static Task<CliHarness> StartAsync(TimeProvider? time = null) => StartAsync(time, _ => { });

    /// <summary>
    /// Starts LocalEcr with the harness's keys as the caller's account, and whatever <paramref name="configure"/> adds:
    /// other accounts (reached through STS AssumeRole on the same endpoint; point <c>AWS_ENDPOINT_URL_STS</c> at
    /// <see cref="LocalEcrServer.BaseAddress"/>), required external ids.
    /// </summary>
    public static async Task<CliHarness> StartAsync(TimeProvider? time, Action<LocalEcrOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new LocalEcrOptions { Port = 0, AccessKey = AccessKey, SecretKey = SecretKey, TimeProvider = time };
        configure(options);
        return new(await LocalEcrServer.StartAsync(options));
    }

    public DictionaryEnvironmentVariables Environment(params (string Name, string Value)[] extra)
    {
        var values = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_ECR"] = Server.BaseAddress.ToString() };
        foreach (var (name, value) in extra)
        {
            values[name] = value;
        }

        return DictionaryEnvironmentVariables.Of(values);
    }

    public Task<CliRun> RunAsync(params string[] args) => RunWithAsync(Environment(), null, args);

    /// <summary>
    /// Runs the CLI with the source's first DescribeImages held on <paramref name="time"/> (the clock the harness's
    /// LocalEcr runs on), and the repository reported gone when it is released: a repository deleted after the command
    /// checked that it exists, before its images are read.
    /// </summary>
    public async Task<CliRun> RunWithRepositoryDeletedAfterItsCheckAsync(Microsoft.Extensions.Time.Testing.FakeTimeProvider time, params string[] args)
    {
        Server.Faults.DelayResponses("DescribeImages", TimeSpan.FromMinutes(1), 1, Source);
        var running = RunAsync(args);
        await Server.Faults.TimersArmedAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Server.Faults.FailNext("DescribeImages", 1, "RepositoryNotFoundException", region: Source);
        time.Advance(TimeSpan.FromMinutes(1));
        return await running.WaitAsync(TimeSpan.FromMinutes(1));
    }

    public Task<CliRun> RunWithAsync(IEnvironmentVariables environment, Func<string, IMessageSender>? sender, params string[] args) =>
        RunWithAsync(environment, sender, terminal: false, args);

    public Task<CliRun> RunWithAsync(IEnvironmentVariables environment, Func<string, IMessageSender>? sender, bool terminal, params string[] args) =>
        RunWithAsync(environment, sender, terminal, TimeProvider.System, args);

    /// <summary>A run on <paramref name="time"/>, the CLI's clock (request signing, retry waits).</summary>
    public Task<CliRun> RunOnAsync(TimeProvider time, params string[] args) => RunWithAsync(Environment(), null, terminal: false, time, args);

    /// <summary>A run on <paramref name="time"/> that the test can cancel, as Ctrl+C does (Program.cs cancels the token).</summary>
    public Task<CliRun> RunCancellableAsync(IEnvironmentVariables environment, TimeProvider time, CancellationToken cancellationToken, params string[] args) =>
        RunCancellableAsync(environment, time, terminal: false, cancellationToken, args);

    /// <summary>As above, on a terminal (live bars) when <paramref name="terminal"/>.</summary>
    public Task<CliRun> RunCancellableAsync(IEnvironmentVariables environment, TimeProvider time, bool terminal, CancellationToken cancellationToken, params string[] args) =>
        RunWithAsync(environment, null, terminal, time, args, cancellationToken);

    /// <summary>A run with the test's own message sender that the test can cancel, as Ctrl+C does.</summary>
    public Task<CliRun> RunWithCancellableAsync(IEnvironmentVariables environment, Func<string, IMessageSender>? sender, CancellationToken cancellationToken, params string[] args) =>
        RunWithAsync(environment, sender, terminal: false, TimeProvider.System, args, cancellationToken);

    /// <summary>A run whose stdout is <paramref name="output"/>: a test's own writer, which can see when each line arrives.</summary>
    public Task<CliRun> RunIntoAsync(StringWriter output, bool terminal, params string[] args) =>
        RunWithAsync(Environment(), null, terminal, TimeProvider.System, args, output: output);

    /// <summary>A run into the test's own writer that the test can cancel, as Ctrl+C does.</summary>
    public Task<CliRun> RunIntoCancellableAsync(StringWriter output, CancellationToken cancellationToken, params string[] args) =>
        RunWithAsync(Environment(), null, terminal: false, TimeProvider.System, args, cancellationToken, output);

    /// <summary>A cancellable run (on a terminal when <paramref name="terminal"/>) whose stdout is the test's own writer.</summary>
    public Task<CliRun> RunIntoCancellableAsync(StringWriter output, IEnvironmentVariables environment, TimeProvider time, bool terminal, CancellationToken cancellationToken, params string[] args) =>
        RunWithAsync(environment, null, terminal, time, args, cancellationToken, output);

    private async Task<CliRun> RunWithAsync(IEnvironmentVariables environment, Func<string, IMessageSender>? sender, bool terminal, TimeProvider time, string[] args, CancellationToken cancellationToken = default, StringWriter? output = null)
    {
        using var ownOutput = output is null ? new StringWriter() : null;
        output ??= ownOutput!;
        using var error = new StringWriter();
        var context = new CliContext
        {
            Environment = environment,
            Out = output,
            Error = error,
            IsTerminal = terminal,
            Credentials = Credentials,
            MessageSenderFactory = sender,
            Time = time,
        };
        var code = await CliApp.RunAsync(args, context, cancellationToken);
        var run = new CliRun(code, output.ToString(), error.ToString());
        Assert.DoesNotContain(SecretKey, run.Output + run.Error, StringComparison.Ordinal);
        return run;
    }

    public IEcrClient Client(string region) => Clients.GetClient(region);

    /// <summary>A client of <paramref name="region"/> signing with another account's keys: what that account sees.</summary>
    public IEcrClient ClientAs(AwsCredentials credentials, string region) =>
        new EcrClient(_http, new StaticCredentialsSource(credentials), new EcrClientConfig(region) { ServiceUrl = Server.BaseAddress });

    public Task PushAsync(string region, string repository, SampleImage image, string? tag) =>
        SampleImagePusher.PushAsync(Client(region), repository, image, tag);

    /// <summary>Turns on ECR's managed signing of every push in <paramref name="region"/>'s registry, signed with <paramref name="profileArn"/>.</summary>
    public async Task SignPushesAsync(string region, string profileArn)
    {
        using var http = new HttpClient();
        await EcrManagedSigning.ConfigureAsync(http, Server.BaseAddress, region, new AwsCredentials(AccessKey, SecretKey), profileArn);
    }

    public static SampleImage Sample(ulong seed) => new SampleImageBuilder(seed).MultiArch(SampleFormat.Oci, [2048, 4096], withAttestation: true);

    public static SampleImage Single(ulong seed) => new SampleImageBuilder(seed).Image(SampleFormat.Docker, [1024]);

    public Task<string?> TagDigestAsync(string region, string repository, string tag) => new RegistryProbe(Client(region)).TagDigestAsync(repository, tag);

    /// <summary>
    /// A <c>--since</c> value half a second after <paramref name="tag"/> was pushed (on LocalEcr's clock): that push is
    /// before it, and one made after the test moves the clock a second is after it.
    /// </summary>
    public async Task<string> SinceJustAfterAsync(string region, string repository, string tag)
    {
        var images = await Client(region).DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = repository, ImageIds = [new ImageIdentifier { ImageTag = tag }] });
        return images.ImageDetails![0].ImagePushedAt!.Value.AddMilliseconds(500).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task DeleteTagAsync(string region, string repository, string tag) =>
        Client(region).BatchDeleteImageAsync(new BatchDeleteImageRequest { RepositoryName = repository, ImageIds = [new ImageIdentifier { ImageTag = tag }] });

    /// <summary>
    /// Deletes <paramref name="repository"/> and every image in it (DeleteRepository with force, as
    /// <c>aws ecr delete-repository --force</c>; the replicator's client never calls it).
    /// </summary>
    public async Task DeleteRepositoryAsync(string region, string repository)
    {
        using var answer = await EcrRawCall.InvokeAsync(_http, Server.BaseAddress, region, "DeleteRepository", new Dictionary<string, object>
        {
            ["repositoryName"] = repository,
            ["force"] = true,
        }, new AwsCredentials(AccessKey, SecretKey));
    }

    /// <summary>Calls that write, in a region: what a dry run must never make.</summary>
    public int WritesTo(string region) =>
        new[] { "CreateRepository", "InitiateLayerUpload", "UploadLayerPart", "CompleteLayerUpload", "PutImage", "BatchDeleteImage" }.Sum(op => Server.Calls.Count(region, op));

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Server.DisposeAsync();
    }
}
