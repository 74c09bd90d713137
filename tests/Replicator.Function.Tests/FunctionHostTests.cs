using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using Moq;
using E = Replicator.Function.Tests.Support.Events;
using LocalLambdaHost;
using Replicator.Core.Replication;
using Replicator.Core.Resilience;
using Replicator.Function.Configuration;
using Replicator.Function.Events;
using Replicator.Function.Runtime;
using Replicator.Function.Tests.Support;
using Replicator.Testing;

namespace Replicator.Function.Tests;

/// <summary>The whole function (composition root, runtime loop, batch processing) against the loopback Runtime API, with a fake engine.</summary>
public sealed class FunctionHostTests : IAsyncLifetime
{
    private const string PresignedUrl = "https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/b1/layer?X-Amz-Security-Token=IQoJb3JpZ2luX2VjELr%2F%2F%2F&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAQNEXAMPLE7EXAMPL%2F20261128%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
    private const string AccessKeyId = "AKIAIOSFODNN7EXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string SessionToken = "FwoGZXIvYXdzEBYaDHqa0AP1bXNRlrmXNyLIAZtZ3cYlbfJmUaRr";

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly string[] Secrets = ["X-Amz-Signature=5d672d79", "IQoJb3JpZ2luX2VjELr", "ASIAQNEXAMPLE7EXAMPL", AccessKeyId, SecretKey, SessionToken, "5d672d79c15b13162d9279b0855cfba6"];

    private readonly StringWriter _output = new();
    private readonly FakeReplicator _replicator = new();
    private IReplicationObserver? _engineObserver;
    private FunctionConfig? _engineConfig;
    private readonly FakeDeadLetterQueue _deadLetter = new();
    private readonly RecordingMessageVisibility _visibility = new();
    private readonly CancellationTokenSource _stop = new();
    private LocalRuntimeApi _api = null!;

    public async Task InitializeAsync() => _api = await LocalRuntimeApi.StartAsync();

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _api.DisposeAsync();
        _stop.Dispose();
    }

    private Task<int> Start(Dictionary<string, string?> environment) => new FunctionHost
    {
        Environment = new DictionaryEnvironmentVariables(environment),
        Output = _output,
        ReplicatorFactory = (config, observer) =>
        {
            _engineConfig = config;
            _engineObserver = observer;
            return _replicator;
        },
        DeadLetterQueueFactory = config => config.DeadLetterQueueUrl is null ? null : _deadLetter,
        MessageVisibilityFactory = _ => _visibility,
    }.RunAsync(_stop.Token);

    private Dictionary<string, string?> Environment(params (string, string?)[] extra)
    {
        var values = new Dictionary<string, string?>
        {
            ["AWS_LAMBDA_RUNTIME_API"] = _api.Address,
            ["AWS_REGION"] = "us-east-1",
            ["DESTINATION_REGIONS"] = "us-west-2,111111111111:eu-west-1",
            ["DEAD_LETTER_QUEUE_URL"] = "https://sqs.us-east-1.amazonaws.com/000000000000/dlq.fifo",
            ["AWS_LAMBDA_LOG_LEVEL"] = "DEBUG",
            ["AWS_SECRET_ACCESS_KEY"] = SecretKey,
            ["AWS_SESSION_TOKEN"] = SessionToken,
        };
        foreach (var (name, value) in extra)
        {
            values[name] = value;
        }

        return values;
    }

    private static string[] Failures(LocalInvocationResult result) =>
        JsonDocument.Parse(result.Body).RootElement.GetProperty("batchItemFailures").EnumerateArray().Select(f => f.GetProperty("itemIdentifier").GetString()!).ToArray();

    [Fact]
    public async Task The_batch_sample_is_processed_and_answered_with_a_partial_batch_response()
    {
        _ = Start(Environment());
        var payload = await File.ReadAllTextAsync(Path.Combine(E.EventsDirectory, "batch.json"));

        var result = await _api.InvokeAsync(payload, TimeSpan.FromMinutes(5)).WaitAsync(Wait);

        Assert.Equal(LocalInvocationStatus.Response, result.Status);
        Assert.Empty(Failures(result));

        // Four successful pushes replicate; the FAILURE push and the delete (REPLICATE_DELETES off) are acknowledged.
        Assert.Equal(4, _replicator.Calls.Count);
        var lines = _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(8, lines.Count(l => l.TryGetProperty("_aws", out _)));
        // Every line of the invocation carries its request id; only the init line, written before any request, has none.
        var logLines = lines.Where(l => !l.TryGetProperty("_aws", out _)).ToArray();
        var initLine = Assert.Single(logLines, l => !l.TryGetProperty("requestId", out _));
        Assert.StartsWith("Initialized", initLine.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(logLines, l => l.TryGetProperty("requestId", out _));
        Assert.All(logLines.Where(l => l.TryGetProperty("requestId", out _)), l => Assert.Equal(result.RequestId, l.GetProperty("requestId").GetString()));
    }

    [Fact]
    public async Task The_host_disposes_the_engine_its_factory_built_once_when_it_stops()
    {
        var running = Start(Environment());
        await _api.InvokeAsync("{\"Records\":[]}", TimeSpan.FromMinutes(5)).WaitAsync(Wait);
        Assert.Equal(0, _replicator.Disposals);

        await _stop.CancelAsync();
        await running.WaitAsync(Wait);

        Assert.Equal(1, _replicator.Disposals);
    }

    /// <summary>
    /// An EMF line has no "level", and Lambda's log-level filtering takes a JSON line without one for INFO: above INFO
    /// every metric is dropped, so the function says so once, at init, at a level that is kept.
    /// </summary>
    [Theory]
    [InlineData("WARN", "JSON", true)]
    [InlineData("ERROR", null, true)]
    [InlineData("INFO", "JSON", false)]
    [InlineData("WARN", "Text", false)]
    public async Task A_log_level_that_would_drop_the_metric_lines_is_warned_about_at_init(string level, string? format, bool warned)
    {
        _ = Start(Environment(("AWS_LAMBDA_LOG_LEVEL", level), ("AWS_LAMBDA_LOG_FORMAT", format)));

        await _api.InvokeAsync("{\"Records\":[]}", TimeSpan.FromMinutes(5)).WaitAsync(Wait);

        var warnings = _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.Contains($"AWS_LAMBDA_LOG_LEVEL is {level}:", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(warned ? 1 : 0, warnings.Count);
        if (warned)
        {
            var line = JsonDocument.Parse(warnings[0]).RootElement;
            // WARN, or the configured level when it is higher, so the line itself is kept.
            Assert.Equal(level, line.GetProperty("level").GetString());
            Assert.Contains("set the application log level to INFO or lower", line.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A destination region this build does not know is not refused (a region launched after the build must work),
    /// but named once at init, unless an endpoint override (a local ECR) accepts any name.
    /// </summary>
    [Theory]
    [InlineData(null, true)]
    [InlineData("http://127.0.0.1:5000", false)]
    public async Task A_destination_region_this_build_does_not_know_is_warned_about_once_at_init(string? endpoint, bool warned)
    {
        _ = Start(Environment(("DESTINATION_REGIONS", "us-wset-2,111111111111:us-wset-2,eu-west-1"), ("AWS_ENDPOINT_URL_ECR", endpoint)));

        await _api.InvokeAsync("{\"Records\":[]}", TimeSpan.FromMinutes(5)).WaitAsync(Wait);

        var warnings = _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.TryGetProperty("level", out var level) && level.GetString() == "WARN")
            .Select(l => l.GetProperty("message").GetString()!)
            .ToList();
        if (!warned)
        {
            Assert.Empty(warnings);
            return;
        }

        var warning = Assert.Single(warnings);
        Assert.StartsWith("DESTINATION_REGIONS: us-wset-2 is not a region this build knows: if it is mistyped", warning, StringComparison.Ordinal);
        Assert.Contains("UnknownRegionHostNotFound", warning, StringComparison.Ordinal);
    }

    /// <summary>
    /// Lambda's smallest memory size with the default MAX_PARALLEL_LAYERS 4 (about 147 MB needed): the function was
    /// killed for lack of memory on a large image, redelivered and killed again. Now the engine is built for 3 blobs
    /// at once and one WARN says so, with the remedies.
    /// </summary>
    [Fact]
    public async Task A_memory_size_too_small_for_max_parallel_layers_lowers_it_with_one_warning_at_init()
    {
        _ = Start(Environment(("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")));

        await _api.InvokeAsync("{\"Records\":[]}", TimeSpan.FromMinutes(5)).WaitAsync(Wait);

        Assert.Equal(3, _engineConfig!.ToReplicatorOptions().MaxParallelLayers);
        var warning = Assert.Single(
            _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => JsonDocument.Parse(l).RootElement),
            l => l.TryGetProperty("level", out var level) && level.GetString() == "WARN");
        Assert.StartsWith("MAX_PARALLEL_LAYERS 4 needs about 147 MB of memory", warning.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A destination removed from DESTINATION_REGIONS whose entries stay in DESTINATION_KMS_KEYS,
    /// DESTINATION_CREDENTIALS and DESTINATION_ROLE_ARNS: the function starts and replicates (it stopped at init with
    /// Runtime.ConfigInvalid on every invocation), and says once, at init, which entry of which variable it ignores.
    /// </summary>
    [Fact]
    public async Task Entries_of_a_removed_destination_are_warned_about_once_at_init_and_replication_goes_on()
    {
        _ = Start(Environment(
            ("DESTINATION_REGIONS", "us-west-2"),
            ("DESTINATION_KMS_KEYS", "us-west-2=alias/a,eu-west-1=alias/b"),
            ("DESTINATION_CREDENTIALS", "333333333333:cn-north-1=ssm:/replicator/cn"),
            ("DESTINATION_ROLE_ARNS", "222222222222=arn:aws:iam::222222222222:role/writer")));

        var result = await _api.InvokeAsync(JsonSerializer.Serialize(new SQSEvent { Records = [E.Record("m-1", E.Body())] }, EventJsonContext.Default.SQSEvent), TimeSpan.FromMinutes(5)).WaitAsync(Wait);

        Assert.Empty(Failures(result));
        Assert.Equal(new ReplicationDestination("us-west-2"), Assert.Single(Assert.Single(_replicator.Calls).Request.Destinations));
        var warnings = _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.TryGetProperty("level", out var level) && level.GetString() == "WARN")
            .Select(l => l.GetProperty("message").GetString()!)
            .ToList();
        Assert.Equal(3, warnings.Count);
        Assert.Contains(warnings, w => w.StartsWith("DESTINATION_KMS_KEYS: entry 'eu-west-1=alias/b' ignored: region eu-west-1 is not in DESTINATION_REGIONS", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("DESTINATION_CREDENTIALS: entry '333333333333:cn-north-1=ssm:/replicator/cn' ignored: destination 333333333333:cn-north-1 is not in DESTINATION_REGIONS", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("DESTINATION_ROLE_ARNS: entry '222222222222=arn:aws:iam::222222222222:role/writer' ignored: account 222222222222 is not the account of any destination", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_malformed_sample_is_dead_lettered()
    {
        _ = Start(Environment());
        var payload = await File.ReadAllTextAsync(Path.Combine(E.EventsDirectory, "malformed.json"));

        var result = await _api.InvokeAsync(payload, TimeSpan.FromMinutes(5)).WaitAsync(Wait);

        Assert.Empty(Failures(result));
        Assert.Equal(2, _deadLetter.Sent.Count);
        Assert.Empty(_replicator.Calls);
    }

    /// <summary>
    /// The default dead-letter queue and visibility changes share one SQS client, built when the first of them needs
    /// it: init and an invocation that sends nothing build none, as building an AWSSDK client is a cold-start cost.
    /// </summary>
    [Fact]
    public async Task One_sqs_client_is_built_at_the_first_send_and_shared_by_the_dead_letter_queue_and_the_visibility_changes()
    {
        var sqs = new Mock<IAmazonSQS>(MockBehavior.Strict);
        sqs.Setup(c => c.SendMessageAsync(It.IsAny<SendMessageRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(new SendMessageResponse { MessageId = "d-1" });
        sqs.Setup(c => c.ChangeMessageVisibilityAsync(It.IsAny<ChangeMessageVisibilityRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(new ChangeMessageVisibilityResponse());
        sqs.Setup(c => c.Dispose());
        var builds = 0;
        var running = new FunctionHost
        {
            Environment = new DictionaryEnvironmentVariables(Environment()),
            Output = _output,
            ReplicatorFactory = (_, _) => _replicator,
            SqsClientFactory = _ =>
            {
                builds++;
                return sqs.Object;
            },
        }.RunAsync(_stop.Token);

        await _api.InvokeAsync("{\"Records\":[]}", TimeSpan.FromMinutes(5)).WaitAsync(Wait);
        Assert.Equal(0, builds);

        var malformed = await _api.InvokeAsync(await File.ReadAllTextAsync(Path.Combine(E.EventsDirectory, "malformed.json")), TimeSpan.FromMinutes(5)).WaitAsync(Wait);
        Assert.Empty(Failures(malformed));
        Assert.Equal(1, builds);

        _replicator.OnReplicate = (r, _) => Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Failed, "ThrottlingException", transient: true));
        var record = new { messageId = "m-1", receiptHandle = "receipt-1", body = E.Body(), attributes = new Dictionary<string, string> { ["MessageGroupId"] = "g", ["ApproximateReceiveCount"] = "1" }, eventSourceARN = E.QueueArn };
        var failed = await _api.InvokeAsync(JsonSerializer.Serialize(new { Records = new[] { record } }), TimeSpan.FromMinutes(5)).WaitAsync(Wait);
        Assert.Equal(["m-1"], Failures(failed));

        Assert.Equal(1, builds);
        sqs.Verify(c => c.SendMessageAsync(It.Is<SendMessageRequest>(m => m.QueueUrl == "https://sqs.us-east-1.amazonaws.com/000000000000/dlq.fifo"), It.IsAny<CancellationToken>()), Times.Exactly(2));
        sqs.Verify(c => c.ChangeMessageVisibilityAsync(It.Is<ChangeMessageVisibilityRequest>(v => v.ReceiptHandle == "receipt-1"), It.IsAny<CancellationToken>()), Times.Once);

        // Built, so disposed when the host stops.
        await _stop.CancelAsync();
        await running.WaitAsync(Wait);
        sqs.Verify(c => c.Dispose(), Times.Once);
    }

    [Fact]
    public async Task Max_receive_count_reaches_the_batch_processor()
    {
        _ = Start(Environment(("MAX_RECEIVE_COUNT", "3")));
        _replicator.OnReplicate = (r, _) => Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Failed, "ThrottlingException", transient: true));
        var record = new { messageId = "m-3", body = E.Body(), attributes = new Dictionary<string, string> { ["MessageGroupId"] = "g", ["ApproximateReceiveCount"] = "3" }, eventSourceARN = E.QueueArn };
        var payload = JsonSerializer.Serialize(new { Records = new[] { record } });

        var result = await _api.InvokeAsync(payload, TimeSpan.FromMinutes(5)).WaitAsync(Wait);

        Assert.Empty(Failures(result));
        Assert.Equal("ReceivesExhausted", Assert.Single(_deadLetter.Sent).ErrorType);
    }

    [Fact]
    public async Task A_payload_that_is_not_an_sqs_event_is_an_invocation_error()
    {
        _ = Start(Environment());
        var result = await _api.InvokeAsync("[not an event", TimeSpan.FromMinutes(5)).WaitAsync(Wait);
        Assert.Equal(LocalInvocationStatus.InvocationError, result.Status);
        var next = await _api.InvokeAsync("{\"Records\":[]}", TimeSpan.FromMinutes(5)).WaitAsync(Wait);
        Assert.Equal("{\"batchItemFailures\":[]}", next.Body);
    }

    /// <summary>
    /// A hand-edited event whose attribute is a number (SQS sends every attribute value as a string): the error names
    /// where, not .NET's message, which the published function trims to a resource key.
    /// </summary>
    [Fact]
    public async Task A_value_of_the_wrong_json_type_is_an_invocation_error_naming_its_path()
    {
        _ = Start(Environment());

        var wrong = await _api.InvokeAsync("{\"Records\":[{\"messageId\":\"m1\",\n\"attributes\":{\"ApproximateReceiveCount\":1}}]}", TimeSpan.FromMinutes(5)).WaitAsync(Wait);

        Assert.Equal(LocalInvocationStatus.InvocationError, wrong.Status);
        Assert.Contains("wrong type at $.Records[0].attributes.ApproximateReceiveCount, line 2", wrong.Body, StringComparison.Ordinal);
        Assert.Contains("attribute values are all strings", wrong.Body, StringComparison.Ordinal);
    }

    /// <summary>
    /// JSON that is not an SQS event: <c>{}</c> (what <c>sam local invoke</c> sends without <c>-e</c>) is an invocation
    /// error that says it has no Records, not an ArgumentNullException; a hand-made record without <c>attributes</c> is
    /// processed as one without a group (its body dead-lettered as malformed), not a NullReferenceException that fails
    /// the batch.
    /// </summary>
    [Fact]
    public async Task A_payload_without_records_says_so_and_a_record_without_attributes_is_processed()
    {
        _ = Start(Environment());

        var empty = await _api.InvokeAsync("{}", TimeSpan.FromMinutes(5)).WaitAsync(Wait);
        var bare = await _api.InvokeAsync("{\"Records\":[{\"messageId\":\"m1\",\"body\":\"not an event\"}]}", TimeSpan.FromMinutes(5)).WaitAsync(Wait);

        Assert.Equal(LocalInvocationStatus.InvocationError, empty.Status);
        Assert.Equal(nameof(InvalidDataException), empty.ErrorType);
        Assert.Contains("not an SQS event: it has no Records", empty.Body, StringComparison.Ordinal);
        Assert.Contains("events/push.json", empty.Body, StringComparison.Ordinal);
        Assert.True(bare.Status == LocalInvocationStatus.Response, bare.Body);
        Assert.Empty(Failures(bare));
        var dead = Assert.Single(_deadLetter.Sent);
        Assert.Equal("not an event", dead.Body);
        Assert.Null(dead.MessageGroupId);
    }

    /// <summary>
    /// The JSON literal <c>null</c> (a hand-made event file, <c>sam local invoke -e</c>) deserializes to no batch at all:
    /// an invocation error that says it is not an SQS event, as <c>{}</c> is, rather than a NullReferenceException from
    /// the batch processor. The loop goes on: the next invocation is answered.
    /// </summary>
    [Fact]
    public async Task A_null_payload_is_an_invocation_error_saying_it_is_not_an_SQS_event()
    {
        _ = Start(Environment());

        var nothing = await _api.InvokeAsync("null", TimeSpan.FromMinutes(5)).WaitAsync(Wait);
        var next = await _api.InvokeAsync("{\"Records\":[]}", TimeSpan.FromMinutes(5)).WaitAsync(Wait);

        Assert.Equal(LocalInvocationStatus.InvocationError, nothing.Status);
        Assert.Equal(nameof(InvalidDataException), nothing.ErrorType);
        Assert.Contains("The invocation payload is not an SQS event: null", nothing.Body, StringComparison.Ordinal);
        Assert.Equal(LocalInvocationStatus.Response, next.Status);
    }

    /// <summary>
    /// Every payload is first asked whether it is a Scheduled Event; one that is not JSON, or whose top-level
    /// <c>source</c> holds an escaped unpaired surrogate (which .NET cannot decode to a string), is not one, and is left
    /// to the SQS path, whose invocation error says what is wrong in the function's words. Let out of the check, the
    /// reader's own exception was the error, with .NET's message, which the published function trims to a resource key.
    /// </summary>
    [Theory]
    [InlineData("not json", "The invocation payload is not an SQS event: malformed JSON")]
    [InlineData("{\"source\":\"\\ud800\",\"detail-type\":\"Scheduled Event\"}", "The invocation payload is not an SQS event: it has no Records")]
    public async Task A_payload_the_scheduled_event_check_cannot_read_is_reported_by_the_SQS_path(string payload, string expected)
    {
        _ = Start(Environment());

        var result = await _api.InvokeAsync(payload, TimeSpan.FromMinutes(5)).WaitAsync(Wait);

        Assert.Equal(LocalInvocationStatus.InvocationError, result.Status);
        Assert.Equal(nameof(InvalidDataException), result.ErrorType);
        Assert.Contains(expected, result.Body, StringComparison.Ordinal);
    }

    /// <summary>
    /// The bootstrap started outside Lambda (by hand, or a container run without the emulator) has no Runtime API to
    /// ask for work: it says which variable is missing and where it runs, and exits 2, instead of failing on a null
    /// address or waiting for invocations that never come. No engine is built.
    /// </summary>
    [Fact]
    public async Task Without_AWS_LAMBDA_RUNTIME_API_the_host_says_where_it_runs_and_exits_2()
    {
        var output = new StringWriter();
        var built = false;
        var host = new FunctionHost
        {
            Environment = new DictionaryEnvironmentVariables(Environment(("AWS_LAMBDA_RUNTIME_API", null))),
            Output = output,
            ReplicatorFactory = (_, _) =>
            {
                built = true;
                return _replicator;
            },
        };

        var exitCode = await host.RunAsync(_stop.Token).WaitAsync(Wait);

        Assert.Equal(2, exitCode);
        Assert.Equal(
            "AWS_LAMBDA_RUNTIME_API is not set: this program runs inside Lambda or under tools/LocalLambdaHost.",
            output.ToString().TrimEnd('\n', '\r'));
        Assert.False(built);
    }

    [Fact]
    public async Task A_response_the_runtime_api_refuses_is_logged_as_a_warning_with_its_request_id()
    {
        _api.RefuseResponses(413);
        _ = Start(Environment());

        var refused = await _api.InvokeAsync("{\"Records\":[]}", TimeSpan.FromMinutes(5)).WaitAsync(Wait);

        Assert.Equal(LocalInvocationStatus.InvocationError, refused.Status);
        var warning = Assert.Single(
            _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement),
            l => l.TryGetProperty("level", out var level) && level.GetString() == "WARN");
        Assert.Equal(refused.RequestId, warning.GetProperty("requestId").GetString());
        Assert.Contains("HTTP 413", warning.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_variable_is_an_init_error_naming_it_and_a_FATAL_log_line()
    {
        var env = Environment(("DESTINATION_REGIONS", null));
        var exitCode = await Start(env).WaitAsync(Wait);

        Assert.Equal(1, exitCode);
        var init = await _api.InitError.WaitAsync(Wait);
        Assert.Equal(RuntimeErrorTypes.ConfigInvalid, init.ErrorType);
        Assert.Contains("DESTINATION_REGIONS", init.Body, StringComparison.Ordinal);
        using var line = JsonDocument.Parse(_output.ToString());
        Assert.Equal("FATAL", line.RootElement.GetProperty("level").GetString());
        Assert.StartsWith("Configuration invalid: DESTINATION_REGIONS", line.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reconcile_queue_with_an_engine_the_reconciler_cannot_read_through_is_an_init_error_naming_it()
    {
        var exitCode = await Start(Environment(("RECONCILE_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/replication.fifo"))).WaitAsync(Wait);

        Assert.Equal(1, exitCode);
        var init = await _api.InitError.WaitAsync(Wait);
        Assert.Contains("RECONCILE_QUEUE_URL", init.Body, StringComparison.Ordinal);
        Assert.Contains("RECONCILE_QUEUE_URL", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_engine_is_given_an_observer_that_logs_a_failed_session_renewal_as_a_warning()
    {
        using var json = await EngineLogLineAsync(
            o => o.CredentialsRenewalFailed("arn:aws:iam::222222222222:role/ecr-replicator-destination", "AccessDenied", new DateTimeOffset(2026, 12, 1, 4, 0, 0, TimeSpan.Zero)),
            "Could not renew");
        Assert.Equal("WARN", json.RootElement.GetProperty("level").GetString());
        Assert.Equal("AccessDenied", json.RootElement.GetProperty("errorType").GetString());
        Assert.Contains("arn:aws:iam::222222222222:role/ecr-replicator-destination", json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("2026-12-01 04:00:00Z", json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_read_again_of_SSM_held_keys_is_a_warning_naming_the_parameter()
    {
        using var json = await EngineLogLineAsync(
            o => o.CredentialsRereadFailed("/ecr-replicator/cn-north-1", "ThrottlingException", new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero)),
            "SSM parameter");
        Assert.Equal("WARN", json.RootElement.GetProperty("level").GetString());
        Assert.Equal("ThrottlingException", json.RootElement.GetProperty("errorType").GetString());
        Assert.Equal(
            "Could not read SSM parameter /ecr-replicator/cn-north-1 again; the keys last read from it stay in use until 2026-12-01 05:00:00Z and the read is tried again shortly",
            json.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Each_retry_of_an_ecr_call_is_a_warning_naming_the_operation_where_it_went_and_the_error()
    {
        using var json = await EngineLogLineAsync(
            o => o.Retrying(new EcrRetry("PutImage", "222222222222:us-west-2", 2, "ThrottlingException", TimeSpan.FromMilliseconds(1500))),
            "PutImage");
        Assert.Equal("WARN", json.RootElement.GetProperty("level").GetString());
        Assert.Equal("ThrottlingException", json.RootElement.GetProperty("errorType").GetString());
        Assert.Equal(
            "ECR PutImage in 222222222222:us-west-2 failed with ThrottlingException; retry 2 in 1.5 s",
            json.RootElement.GetProperty("message").GetString());
    }

    /// <summary>
    /// The engine's observer is built once per instance, but what it reports happens inside one invocation's copy of
    /// one record: its lines carry that invocation's request id and the record's message id and image, as every other
    /// line about the record does, so a Logs Insights filter on the request or message id shows the retries that made
    /// its copy slow or fail (docs/deploy.md, "Observability"). Two records of one batch, in two message groups copied
    /// at once, each keep their own.
    /// </summary>
    [Fact]
    public async Task Engine_lines_written_during_a_copy_carry_the_request_id_and_the_record_they_were_for()
    {
        using var bothStarted = new CountdownEvent(2);
        _replicator.OnReplicate = async (r, _) =>
        {
            // Both copies are under way before either reports, so a context shared between them would show.
            bothStarted.Signal();
            await Task.Run(() => bothStarted.Wait(Wait));
            _engineObserver!.Retrying(new EcrRetry("PutImage", "us-west-2", 1, "ThrottlingException", TimeSpan.FromMilliseconds(200)));
            _engineObserver.CredentialsRenewalFailed("arn:aws:iam::111111111111:role/ecr-replicator-destination", "AccessDenied", DateTimeOffset.UnixEpoch);
            return FakeReplicator.Result(r, ReplicationOutcome.Replicated);
        };
        _ = Start(Environment());
        var batch = JsonSerializer.Serialize(
            E.Batch(E.Record("m-app", E.Body(repository: "team/app", tag: "v1"), "team/app"), E.Record("m-web", E.Body(repository: "team/web", tag: "v2"), "team/web")),
            EventJsonContext.Default.SQSEvent);

        var result = await _api.InvokeAsync(batch, TimeSpan.FromMinutes(5)).WaitAsync(Wait);

        var lines = _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.TryGetProperty("message", out var m) && (m.GetString()!.StartsWith("ECR PutImage", StringComparison.Ordinal) || m.GetString()!.StartsWith("Could not renew", StringComparison.Ordinal)))
            .ToList();
        Assert.Equal(4, lines.Count);
        Assert.All(lines, l => Assert.Equal(result.RequestId, l.GetProperty("requestId").GetString()));
        Assert.All(lines, l => Assert.False(l.TryGetProperty("outcome", out _)));
        foreach (var (messageId, repository, tag) in new[] { ("m-app", "team/app", "v1"), ("m-web", "team/web", "v2") })
        {
            var mine = lines.Where(l => l.TryGetProperty("messageId", out var id) && id.GetString() == messageId).ToList();
            Assert.Equal(2, mine.Count);
            Assert.All(mine, l => Assert.Equal(repository, l.GetProperty("repository").GetString()));
            Assert.All(mine, l => Assert.Equal(tag, l.GetProperty("tag").GetString()));
        }
    }

    /// <summary>Starts the host, lets it build the engine, reports through the engine's observer and returns the one log line containing <paramref name="marker"/>.</summary>
    private async Task<JsonDocument> EngineLogLineAsync(Action<IReplicationObserver> report, string marker)
    {
        _ = Start(Environment());
        await _api.InvokeAsync("{\"Records\":[]}", TimeSpan.FromMinutes(5)).WaitAsync(Wait);

        Assert.NotNull(_engineObserver);
        report(_engineObserver);
        return JsonDocument.Parse(Assert.Single(_output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains(marker, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Text_format_writes_plain_log_lines()
    {
        _ = Start(Environment(("AWS_LAMBDA_LOG_FORMAT", "Text")));
        var payload = await File.ReadAllTextAsync(Path.Combine(E.EventsDirectory, "delete.json"));
        await _api.InvokeAsync(payload, TimeSpan.FromMinutes(5)).WaitAsync(Wait);
        var line = Assert.Single(_output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("Acknowledged", StringComparison.Ordinal));
        Assert.False(line.StartsWith('{'));
        Assert.Contains(" INFO ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_secret_from_failing_dependencies_reaches_any_output()
    {
        var calls = 0;
        _replicator.OnReplicate = (r, _) => (Interlocked.Increment(ref calls) % 3) switch
        {
            1 => throw new HttpRequestException($"GET {PresignedUrl} failed; credentials {AccessKeyId}:{SecretKey} token={SessionToken}"),
            2 => Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Failed, "InvalidParameterException", transient: false, $"layer at {PresignedUrl} refused for {AccessKeyId} / {SecretKey}")),
            _ => Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Failed, "ThrottlingException", transient: true, $"Authorization: AWS4-HMAC-SHA256 Credential={AccessKeyId}/x X-Amz-Security-Token: {SessionToken}")),
        };
        _ = Start(Environment());

        var bodies = new List<string>();
        foreach (var file in new[] { "push.json", "multi-arch-push.json", "batch.json", "malformed.json" })
        {
            var result = await _api.InvokeAsync(await File.ReadAllTextAsync(Path.Combine(E.EventsDirectory, file)), TimeSpan.FromMinutes(5)).WaitAsync(Wait);
            bodies.Add(result.Body);
        }

        var captured = string.Join('\n', bodies.Append(_output.ToString()).Concat(_deadLetter.Sent.Select(m => m.Reason + " " + m.ErrorType)));
        Assert.Contains(_deadLetter.Sent, m => m.ErrorType == "InvalidParameterException");
        Assert.Contains("HttpRequestException", captured, StringComparison.Ordinal);
        Assert.Contains("prod-us-east-1-starport-layer-bucket", captured, StringComparison.Ordinal);
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(secret, captured, StringComparison.Ordinal);
        }
    }
}
