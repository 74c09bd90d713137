using System.Text.Json;
using LocalLambdaHost;
using Replicator.Core.Composition;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;
using Replicator.Core.Selection;
using Replicator.Core.Signing;
using Replicator.Function.Configuration;
using Replicator.Function.Enqueue;
using Replicator.Function.Events;
using Replicator.Function.Reconcile;
using Replicator.Function.Tests.Destinations;
using Replicator.Function.Tests.Support;
using Replicator.Samples;
using Replicator.Testing;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.Reconcile;

/// <summary>The whole function (FunctionHost, the engine as Program.cs builds it) invoked by the schedule and by the queue.</summary>
public sealed class ScheduledReconcileTests(MotoFixture moto) : IClassFixture<MotoFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(2);

    private static string ScheduledEventJson => File.ReadAllText(Path.Combine(E.EventsDirectory, "scheduled.json"));

    /// <summary>The function's environment against the rig's LocalEcr and moto's SQS, with <paramref name="extra"/> added.</summary>
    private DictionaryEnvironmentVariables Environment(ReconcileRig h, LocalRuntimeApi api, string queue, params (string Name, string Value)[] extra)
    {
        var variables = new Dictionary<string, string?>
        {
            ["AWS_LAMBDA_RUNTIME_API"] = api.Address,
            ["AWS_REGION"] = ReconcileRig.Source,
            ["DESTINATION_REGIONS"] = ReconcileRig.West,
            ["REPOSITORY_FILTER"] = "team/*",
            ["AWS_ENDPOINT_URL_ECR"] = h.Server.BaseAddress.ToString(),
            ["AWS_ENDPOINT_URL_SQS"] = moto.Server.Endpoint.ToString(),
            ["RECONCILE_QUEUE_URL"] = queue,
        };
        foreach (var (name, value) in extra)
        {
            variables[name] = value;
        }

        return new DictionaryEnvironmentVariables(variables);
    }

    /// <summary>The whole function on <paramref name="environment"/>, as Program.cs builds it, its cursor in <paramref name="cursorStore"/>.</summary>
    private Task StartHost(DictionaryEnvironmentVariables environment, StringWriter output, Func<FunctionConfig, IReconcileCursorStore?> cursorStore, CancellationToken stop) =>
        new FunctionHost
        {
            Environment = environment,
            Output = output,
            ReplicatorFactory = (config, _) => ReplicatorServices.Create(environment, config.ToReplicatorOptions(), new StaticCredentialsSource(new AwsCredentials("test", "test")), homeRegion: config.Region),
            DeadLetterQueueFactory = _ => new FakeDeadLetterQueue(),
            MessageVisibilityFactory = _ => new RecordingMessageVisibility(),
            ReconcileQueueFactory = config => new SqsMessageSender(ReconcileRig.Sqs(moto.Server), config.ReconcileQueueUrl!.AbsoluteUri),
            ReconcileCursorStoreFactory = cursorStore,
            ReconcileReadsPerSecond = 10_000,
        }.RunAsync(stop);

    /// <summary>
    /// A hand-made Scheduled Event of the wrong shape ("resources" a string) is an invocation error naming where, as a
    /// malformed SQS event is: .NET's own message, which the published function trims to a resource key, is not used.
    /// </summary>
    [Fact]
    public async Task A_scheduled_event_of_the_wrong_shape_is_an_invocation_error_naming_its_path()
    {
        await using var h = await ReconcileRig.StartAsync();
        using var sqs = ReconcileRig.Sqs(moto.Server);
        var queue = await ReconcileRig.CreateFifoQueueAsync(sqs, "scheduled-wrong-shape");
        await using var api = await LocalRuntimeApi.StartAsync();
        using var stop = new CancellationTokenSource();
        var host = StartHost(Environment(h, api, queue), new SynchronizedStringWriter(), _ => null, stop.Token);
        var wrong = ScheduledEventJson.Replace(
            "\"resources\": [\n    \"arn:aws:events:us-east-1:000000000000:rule/ecr-replicator-ReconcileRule-EXAMPLE\"\n  ]",
            "\"resources\": \"x\"",
            StringComparison.Ordinal);
        Assert.NotEqual(ScheduledEventJson, wrong);

        var result = await api.InvokeAsync(wrong, TimeSpan.FromMinutes(5)).WaitAsync(Wait);

        Assert.Equal(LocalInvocationStatus.InvocationError, result.Status);
        Assert.Equal(nameof(InvalidDataException), result.ErrorType);
        Assert.Contains("The Scheduled Event is not of the shape EventBridge sends: malformed JSON or a value of the wrong type at $.resources", result.Body, StringComparison.Ordinal);
        Assert.Empty(await ReconcileRig.DrainAsync(sqs, queue));
        await stop.CancelAsync();
        await host.WaitAsync(Wait);
    }

    [Fact]
    public async Task A_scheduled_event_runs_the_reconciler_and_the_queued_event_then_replicates_through_the_same_function()
    {
        await using var h = await ReconcileRig.StartAsync();
        using var sqs = ReconcileRig.Sqs(moto.Server);
        var queue = await ReconcileRig.CreateFifoQueueAsync(sqs, "scheduled");
        var image = new SampleImageBuilder(seed: 911).Image(SampleFormat.Oci, [2048]);
        await h.PushAsync(ReconcileRig.Source, "team/app", image, "v1");
        await using var api = await LocalRuntimeApi.StartAsync();
        var output = new SynchronizedStringWriter();
        using var stop = new CancellationTokenSource();
        var environment = Environment(h, api, queue, ("RECONCILE_CURSOR_PARAMETER", "/scheduled-test/reconcile-cursor"));
        var host = StartHost(environment, output, config => new SsmReconcileCursorStore(moto.Server.SsmClient(ReconcileRig.Source), config.ReconcileCursorParameter!), stop.Token);

        var reconciled = await api.InvokeAsync(ScheduledEventJson, TimeSpan.FromMinutes(5)).WaitAsync(Wait);

        Assert.True(reconciled.IsSuccess, reconciled.Body);
        using (var response = JsonDocument.Parse(reconciled.Body))
        {
            Assert.Equal(1, response.RootElement.GetProperty("repositories").GetInt32());
            Assert.Equal(1, response.RootElement.GetProperty("driftFound").GetInt32());
            Assert.Equal(1, response.RootElement.GetProperty("driftEnqueued").GetInt32());
            Assert.True(response.RootElement.GetProperty("completed").GetBoolean());
        }

        var (body, group) = Assert.Single(await ReconcileRig.DrainAsync(sqs, queue));
        Assert.Equal("team/app", group);
        using var ssm = moto.Server.SsmClient(ReconcileRig.Source);
        Assert.Equal("-", (await ssm.GetParameterAsync(new() { Name = "/scheduled-test/reconcile-cursor" })).Parameter.Value);
        var log = output.ToString();
        Assert.Contains("\"DriftFound\":1", log, StringComparison.Ordinal);
        Assert.Contains("\"DriftEnqueued\":1", log, StringComparison.Ordinal);
        Assert.Contains("\"SourceRegion\":\"us-east-1\"", log, StringComparison.Ordinal);
        Assert.Contains("\"outcome\":\"Drift\"", log, StringComparison.Ordinal);
        Assert.Contains("\"outcome\":\"Reconciled\"", log, StringComparison.Ordinal);

        // The metrics before the line per drift item: a run the deadline stopped may have no time for those lines.
        Assert.True(
            log.IndexOf("\"DriftFound\":1", StringComparison.Ordinal) < log.IndexOf("\"outcome\":\"Drift\"", StringComparison.Ordinal),
            "the reconcile metrics come after the drift lines");

        // The queued message, delivered as the event source mapping would: an SQS batch, the batch path, from the
        // queue of the function's account. The reconciler names the function's own account and region as the source,
        // so the message passes the check that refuses any other.
        var batch = JsonSerializer.Serialize(new SQSEvent { Records = [E.Record("m1", body, group, E.QueueArnOf(ReconcileRig.Account, ReconcileRig.Source))] }, EventJsonContext.Default.SQSEvent);
        var replicated = await api.InvokeAsync(batch, TimeSpan.FromMinutes(5)).WaitAsync(Wait);

        Assert.Equal("{\"batchItemFailures\":[]}", replicated.Body);
        Assert.Equal(image.Digest, await new RegistryProbe(h.Client(ReconcileRig.West)).TagDigestAsync("team/app", "v1"));
        await stop.CancelAsync();
        await host.WaitAsync(Wait);
    }

    [Fact]
    public async Task A_scheduled_event_without_a_reconcile_queue_fails_the_invocation_naming_the_setting()
    {
        await using var api = await LocalRuntimeApi.StartAsync();
        var output = new SynchronizedStringWriter();
        using var stop = new CancellationTokenSource();
        var replicator = new FakeReplicator();
        var host = new FunctionHost
        {
            Environment = new DictionaryEnvironmentVariables(new Dictionary<string, string?>
            {
                ["AWS_LAMBDA_RUNTIME_API"] = api.Address,
                ["AWS_REGION"] = "us-east-1",
                ["DESTINATION_REGIONS"] = "us-west-2",
            }),
            Output = output,
            ReplicatorFactory = (_, _) => replicator,
            MessageVisibilityFactory = _ => new RecordingMessageVisibility(),
        }.RunAsync(stop.Token);

        var result = await api.InvokeAsync(ScheduledEventJson, TimeSpan.FromMinutes(5)).WaitAsync(Wait);

        Assert.False(result.IsSuccess);
        Assert.Contains("RECONCILE_QUEUE_URL", result.Body, StringComparison.Ordinal);
        Assert.Empty(replicator.Calls);
        await stop.CancelAsync();
        await host.WaitAsync(Wait);
    }

    /// <summary>
    /// The function's reconciler saves and compares the fingerprint of the function's own settings: a cursor saved under
    /// them resumes, one saved under others starts a new pass, logged once.
    /// </summary>
    [Fact]
    public async Task The_function_resumes_a_cursor_of_its_own_settings_and_starts_a_new_pass_logged_once_for_other_settings()
    {
        await using var h = await ReconcileRig.StartAsync();
        using var sqs = ReconcileRig.Sqs(moto.Server);
        var queue = await ReconcileRig.CreateFifoQueueAsync(sqs, "settings");
        await h.PushAsync(ReconcileRig.Source, "team/app", new SampleImageBuilder(seed: 913).Image(SampleFormat.Oci, [512]), "v1");
        await using var api = await LocalRuntimeApi.StartAsync();
        var output = new SynchronizedStringWriter();
        using var stop = new CancellationTokenSource();
        var environment = Environment(h, api, queue);

        // Past every repository: resumed there, a run compares nothing.
        var store = new MemoryCursorStore { Value = new ReconcileCursor("team/zz").Format(FunctionConfig.Load(environment).ToReconcileSettings()) };
        var host = StartHost(environment, output, _ => store, stop.Token);

        async Task<int> RepositoriesAsync()
        {
            var result = await api.InvokeAsync(ScheduledEventJson, TimeSpan.FromMinutes(5)).WaitAsync(Wait);
            Assert.True(result.IsSuccess, result.Body);
            using var response = JsonDocument.Parse(result.Body);
            Assert.True(response.RootElement.GetProperty("completed").GetBoolean());
            return response.RootElement.GetProperty("repositories").GetInt32();
        }

        const string NewPass = "a new pass started from the first repository instead of resuming";
        Assert.Equal(0, await RepositoriesAsync());
        Assert.DoesNotContain(NewPass, output.ToString(), StringComparison.Ordinal);

        // The same cursor under another repository filter: team/app, before it, was never compared under that one.
        store.Value = new ReconcileCursor("team/zz").Format(ReconcileSettings.Of([ReplicationDestination.Parse(ReconcileRig.West)], RepositoryFilter.Everything, null, RepositoryMapping.Identity, replicateDeletes: false));

        Assert.Equal(1, await RepositoriesAsync());
        Assert.Equal(1, await RepositoriesAsync());
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains(NewPass, StringComparison.Ordinal)).ToList();
        var line = Assert.Single(lines);
        Assert.Contains("REPOSITORY_FILTER", line, StringComparison.Ordinal);
        Assert.Contains("\"level\":\"INFO\"", line, StringComparison.Ordinal);
        await stop.CancelAsync();
        await host.WaitAsync(Wait);
    }

    /// <summary>
    /// A cursor SSM will not hand back: the invocation still ends normally, with its metrics (ReconcileFailures 1, the
    /// alarm's metric), the failure logged, and nothing compared or saved.
    /// </summary>
    [Fact]
    public async Task A_cursor_that_cannot_be_read_is_counted_in_ReconcileFailures_and_logged_without_failing_the_invocation()
    {
        await using var h = await ReconcileRig.StartAsync();
        using var sqs = ReconcileRig.Sqs(moto.Server);
        var queue = await ReconcileRig.CreateFifoQueueAsync(sqs, "cursor-unread");
        await h.PushAsync(ReconcileRig.Source, "team/app", new SampleImageBuilder(seed: 914).Image(SampleFormat.Oci, [512]), "v1");
        await using var api = await LocalRuntimeApi.StartAsync();
        var output = new SynchronizedStringWriter();
        using var stop = new CancellationTokenSource();
        var store = new MemoryCursorStore { LoadFailure = new HttpRequestException("SSM unreachable (test)") };
        var host = StartHost(Environment(h, api, queue), output, _ => store, stop.Token);

        var result = await api.InvokeAsync(ScheduledEventJson, TimeSpan.FromMinutes(5)).WaitAsync(Wait);
        await stop.CancelAsync();
        await host.WaitAsync(Wait);

        Assert.True(result.IsSuccess, result.Body);
        using (var response = JsonDocument.Parse(result.Body))
        {
            Assert.False(response.RootElement.GetProperty("completed").GetBoolean());
            Assert.Equal(1, response.RootElement.GetProperty("failures").GetInt32());
            Assert.Equal(0, response.RootElement.GetProperty("repositories").GetInt32());
        }

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var metrics = Assert.Single(lines, l => l.Contains("\"ReconcileFailures\":", StringComparison.Ordinal));
        using (var document = JsonDocument.Parse(metrics))
        {
            Assert.Equal(1, document.RootElement.GetProperty("ReconcileFailures").GetInt32());
        }

        Assert.Contains(lines, l => l.Contains("\"level\":\"ERROR\"", StringComparison.Ordinal) && l.Contains("(cursor): HttpRequestException: SSM unreachable (test)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("stopped; the next run starts where the stored cursor says", StringComparison.Ordinal));
        Assert.Empty(store.Saved);
        Assert.Empty(await ReconcileRig.DrainAsync(sqs, queue));
    }
}
