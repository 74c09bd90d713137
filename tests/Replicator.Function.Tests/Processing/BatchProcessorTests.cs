using Replicator.Core.Replication;
using Replicator.Function.DeadLetter;
using Replicator.Function.Enqueue;
using Replicator.Function.Events;
using Replicator.Function.Processing;
using Replicator.Function.Tests.Support;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.Processing;

public class BatchProcessorTests
{
    private static string Tagged(string tag) => E.Body(tag: tag);

    private static string[] Failed(SQSBatchResponse response) => response.BatchItemFailures.Select(f => f.ItemIdentifier).ToArray();

    private static string[] ReplicatedTags(Harness harness) => harness.Replicator.Calls.Select(c => c.Request.Source.Tag!).ToArray();

    [Fact]
    public async Task All_succeeded_gives_an_empty_failure_list_and_keeps_order_within_a_group()
    {
        var harness = new Harness();
        var batch = E.Batch(E.Record("a", Tagged("a1")), E.Record("b", Tagged("a2")), E.Record("c", Tagged("a3")));
        var response = await harness.Processor.ProcessAsync(batch, harness.Context(), CancellationToken.None);
        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(["a1", "a2", "a3"], ReplicatedTags(harness));
    }

    [Fact]
    public async Task The_first_transient_failure_stops_its_group_and_reports_it_and_every_later_record()
    {
        var harness = new Harness();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(r.Source.Tag == "g1-2"
            ? FakeReplicator.Result(r, ReplicationOutcome.Failed, "ThrottlingException", transient: true)
            : FakeReplicator.Result(r, ReplicationOutcome.Replicated));
        var batch = E.Batch(
            E.Record("1", Tagged("g1-1"), "g1"),
            E.Record("2", Tagged("g1-2"), "g1"),
            E.Record("3", Tagged("g2-1"), "g2"),
            E.Record("4", Tagged("g1-3"), "g1"),
            E.Record("5", Tagged("g2-2"), "g2"));

        var response = await harness.Processor.ProcessAsync(batch, harness.Context(), CancellationToken.None);

        Assert.Equal(["2", "4"], Failed(response));
        Assert.Contains(harness.LogLines, l => l.GetProperty("level").GetString() == "WARN" && l.GetProperty("message").GetString() == "Batch done: 5 record(s) in 2 group(s), 2 reported failed");
        Assert.DoesNotContain("g1-3", ReplicatedTags(harness));
        Assert.Contains("g2-2", ReplicatedTags(harness));
    }

    [Fact]
    public async Task Groups_run_concurrently_and_records_of_one_group_never_overlap()
    {
        var harness = new Harness();
        var g2Started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inG1 = 0;
        var maxInG1 = 0;
        harness.Replicator.OnReplicate = async (r, _) =>
        {
            if (r.Source.Tag!.StartsWith("g1", StringComparison.Ordinal))
            {
                var now = Interlocked.Increment(ref inG1);
                maxInG1 = Math.Max(maxInG1, now);

                // Only finishes if group g2 started meanwhile: sequential groups would time out here.
                await g2Started.Task.WaitAsync(TimeSpan.FromMinutes(1));
                await Task.Yield();
                Interlocked.Decrement(ref inG1);
            }
            else
            {
                g2Started.TrySetResult();
            }

            return FakeReplicator.Result(r, ReplicationOutcome.Replicated);
        };
        var batch = E.Batch(E.Record("1", Tagged("g1-1"), "g1"), E.Record("2", Tagged("g1-2"), "g1"), E.Record("3", Tagged("g2-1"), "g2"));

        var response = await harness.Processor.ProcessAsync(batch, harness.Context(), CancellationToken.None);

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(1, maxInG1);
        Assert.Equal(["g1-1", "g1-2"], ReplicatedTags(harness).Where(t => t.StartsWith("g1", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Near_the_deadline_no_record_starts_and_unstarted_ones_are_reported()
    {
        // 60 s invocation: the margin is max(10% = 6 s, 5 s) = 6 s.
        var harness = new Harness();
        harness.Replicator.OnReplicate = (r, _) =>
        {
            harness.Time.Advance(TimeSpan.FromSeconds(55));
            return Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Replicated));
        };
        var batch = E.Batch(E.Record("1", Tagged("t1")), E.Record("2", Tagged("t2")), E.Record("3", Tagged("t3"), "other"));

        var response = await harness.Processor.ProcessAsync(batch, harness.Context(TimeSpan.FromSeconds(60)), CancellationToken.None);

        Assert.Single(harness.Replicator.Calls);
        Assert.Equal(2, response.BatchItemFailures.Count);
        Assert.Contains(harness.LogLines, l => l.GetProperty("outcome").GetString() == "NotStarted");
    }

    /// <summary>
    /// The margin is of copy time, measured to where the copies' token fires (CopyStopBeforeDeadline before the
    /// deadline), not to the deadline: a record started with the margin left to the deadline got 0-5 s of copy time and
    /// failed as DeadlineExceeded, with failure metrics, where "not started" was the truth.
    /// </summary>
    [Theory]
    [InlineData(-1, true)]
    [InlineData(1, false)]
    public async Task A_record_starts_only_with_the_margin_left_before_the_copies_stop(int pastTheLastStart, bool secondStarts)
    {
        // 60 s invocation: the margin is max(10% = 6 s, 5 s) = 6 s of copy time.
        var harness = new Harness();
        var stop = new BatchProcessorOptions().CopyStopBeforeDeadline;
        var lastStart = TimeSpan.FromSeconds(60) - stop - TimeSpan.FromSeconds(6);
        harness.Replicator.OnReplicate = (r, _) =>
        {
            if (harness.Replicator.Calls.Count == 1)
            {
                harness.Time.Advance(lastStart + TimeSpan.FromSeconds(pastTheLastStart));
            }

            return Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Replicated));
        };
        var batch = E.Batch(E.Record("1", Tagged("t1")), E.Record("2", Tagged("t2")));

        var response = await harness.Processor.ProcessAsync(batch, harness.Context(TimeSpan.FromSeconds(60)), CancellationToken.None);

        Assert.Equal(secondStarts ? 2 : 1, harness.Replicator.Calls.Count);
        Assert.Equal(secondStarts ? [] : ["2"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
    }

    [Fact]
    public void The_margin_is_a_share_of_the_invocation_or_a_minimum()
    {
        var options = new BatchProcessorOptions { DeadlineMarginFraction = 0.1, MinimumDeadlineMargin = TimeSpan.FromSeconds(5) };
        Assert.Equal(TimeSpan.FromSeconds(90), options.MarginFor(TimeSpan.FromSeconds(900)));
        Assert.Equal(TimeSpan.FromSeconds(5), options.MarginFor(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task A_cancelled_invocation_reports_every_record()
    {
        var harness = new Harness();
        var batch = E.Batch(E.Record("1", Tagged("t1")), E.Record("2", Tagged("t2"), "g2"));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var response = await harness.Processor.ProcessAsync(batch, harness.Context(), cancelled.Token);

        Assert.Empty(harness.Replicator.Calls);
        Assert.Equal(["1", "2"], Failed(response));
    }

    [Fact]
    public async Task Poison_goes_to_the_dead_letter_queue_with_its_group_and_reason_and_is_acknowledged()
    {
        var harness = new Harness();
        var batch = E.Batch(E.Record("1", "not json {", "g1"), E.Record("2", Tagged("after"), "g1"));

        var response = await harness.Processor.ProcessAsync(batch, harness.Context(), CancellationToken.None);

        Assert.Empty(response.BatchItemFailures);
        var sent = Assert.Single(harness.DeadLetter.Sent);
        Assert.Equal("not json {", sent.Body);
        Assert.Equal("g1", sent.MessageGroupId);
        Assert.Equal("1", sent.DeduplicationId);
        Assert.Equal("InvalidEvent", sent.ErrorType);
        Assert.Contains("not JSON", sent.Reason, StringComparison.Ordinal);
        Assert.Equal(["after"], ReplicatedTags(harness));
        Assert.Contains(harness.LogLines, l => l.GetProperty("outcome").GetString() == "DeadLettered");
    }

    [Fact]
    public async Task A_line_about_a_message_that_names_no_image_says_why()
    {
        // The DeadLettered line of invalid poison has the parse error as its reason, and no image fields.
        var harness = new Harness();
        await harness.Processor.ProcessAsync(E.Batch(E.Record("1", "not json {", "g1")), harness.Context(), CancellationToken.None);
        var deadLettered = Assert.Single(harness.LogLines, l => l.TryGetProperty("outcome", out var outcome) && outcome.GetString() == "DeadLettered");
        Assert.False(deadLettered.TryGetProperty("repository", out _));
        Assert.Contains("not JSON", deadLettered.GetProperty("message").GetString(), StringComparison.Ordinal);

        // Any other line about such a message appends the parse error to its own words.
        var thrower = new Harness();
        var processor = new BatchProcessor((_, _, _) => throw new InvalidOperationException("boom"), thrower.DeadLetter, thrower.Logger, new BatchProcessorOptions());
        await processor.ProcessAsync(E.Batch(E.Record("1", "not json {", "g1"), E.Record("2", Tagged("v2"), "g2")), thrower.Context(), CancellationToken.None);
        var threw = thrower.LogLines.Where(l => l.GetProperty("message").GetString()!.StartsWith("Record handler threw", StringComparison.Ordinal)).ToList();
        var unnamed = Assert.Single(threw, l => l.GetProperty("messageId").GetString() == "1");
        Assert.False(unnamed.TryGetProperty("repository", out _));
        Assert.StartsWith("Record handler threw InvalidOperationException: boom (the message names no image: invalid body: the message body is not JSON", unnamed.GetProperty("message").GetString(), StringComparison.Ordinal);
        var named = Assert.Single(threw, l => l.GetProperty("messageId").GetString() == "2");
        Assert.Equal(("my-app", "v2"), (named.GetProperty("repository").GetString(), named.GetProperty("tag").GetString()));
        Assert.Equal("Record handler threw InvalidOperationException: boom", named.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_permanent_engine_failure_is_dead_lettered_with_its_error_code()
    {
        var harness = new Harness();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Failed, "ImageTagAlreadyExistsException", message: "tag v1 is immutable"));
        var response = await harness.Processor.ProcessAsync(E.Batch(E.Record("1", Tagged("v1"))), harness.Context(), CancellationToken.None);

        Assert.Empty(response.BatchItemFailures);
        var sent = Assert.Single(harness.DeadLetter.Sent);
        Assert.Equal("ImageTagAlreadyExistsException", sent.ErrorType);
        Assert.Contains("immutable", sent.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_dead_letter_send_reports_the_record_and_stops_its_group()
    {
        var harness = new Harness();
        harness.DeadLetter.Fail = true;
        var batch = E.Batch(E.Record("1", "not json", "g1"), E.Record("2", Tagged("later"), "g1"), E.Record("3", Tagged("other"), "g2"));

        var response = await harness.Processor.ProcessAsync(batch, harness.Context(), CancellationToken.None);

        Assert.Equal(["1", "2"], Failed(response));
        Assert.Equal(["other"], ReplicatedTags(harness));
    }

    [Fact]
    public async Task Without_a_dead_letter_queue_poison_is_reported_failed()
    {
        var harness = new Harness(withDeadLetterQueue: false);
        var response = await harness.Processor.ProcessAsync(E.Batch(E.Record("1", "{}", "g1"), E.Record("2", Tagged("x"), "g1")), harness.Context(), CancellationToken.None);
        Assert.Equal(["1", "2"], Failed(response));
        Assert.Empty(harness.Replicator.Calls);
        Assert.Contains(harness.LogLines, l => l.GetProperty("level").GetString() == "ERROR" && l.GetProperty("errorType").GetString() == "InvalidEvent");
    }

    [Fact]
    public async Task Records_without_a_group_do_not_block_each_other()
    {
        var harness = new Harness();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(FakeReplicator.Result(r, r.Source.Tag == "bad" ? ReplicationOutcome.Failed : ReplicationOutcome.Replicated, "ServerException", transient: true));
        var response = await harness.Processor.ProcessAsync(E.Batch(E.Record("1", Tagged("bad"), null), E.Record("2", Tagged("good"), null)), harness.Context(), CancellationToken.None);
        Assert.Equal(["1"], Failed(response));
    }

    [Fact]
    public async Task A_record_handler_that_throws_is_reported_not_lost()
    {
        var harness = new Harness();
        var processor = new BatchProcessor((_, _, _) => throw new InvalidOperationException("bug"), null, harness.Logger, new BatchProcessorOptions());
        var response = await processor.ProcessAsync(E.Batch(E.Record("1", Tagged("a"))), harness.Context(), CancellationToken.None);
        Assert.Equal(["1"], Failed(response));
    }

    [Fact]
    public async Task A_record_handler_that_throws_is_retried_not_dead_lettered()
    {
        var harness = new Harness();
        var processor = new BatchProcessor((_, _, _) => throw new InvalidOperationException("bug"), harness.DeadLetter, harness.Logger, new BatchProcessorOptions());
        var response = await processor.ProcessAsync(E.Batch(E.Record("1", Tagged("a"))), harness.Context(), CancellationToken.None);
        Assert.Equal(["1"], Failed(response));
        Assert.Empty(harness.DeadLetter.Sent);
    }

    [Fact]
    public async Task A_record_without_message_id_fails_the_whole_invocation()
    {
        var harness = new Harness();
        var batch = E.Batch(new SQSMessage { Body = Tagged("a") });
        await Assert.ThrowsAsync<InvalidDataException>(() => harness.Processor.ProcessAsync(batch, harness.Context(), CancellationToken.None));
    }

    [Fact]
    public async Task Dead_letter_messages_carry_redacted_reasons()
    {
        var harness = new Harness();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Failed, "InvalidParameterException",
            message: "refused for https://bucket.s3.amazonaws.com/layer?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261128&X-Amz-Signature=deadbeef"));
        await harness.Processor.ProcessAsync(E.Batch(E.Record("1", Tagged("v1"))), harness.Context(), CancellationToken.None);
        var sent = Assert.Single<DeadLetterMessage>(harness.DeadLetter.Sent);
        Assert.DoesNotContain("X-Amz-Signature=deadbeef", sent.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", sent.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(20, true)]
    public async Task AccessDenied_is_retried_on_the_first_receives_in_case_a_grant_is_still_propagating_then_dead_lettered(int receive, bool deadLettered)
    {
        // A stack update changes the destination grants in parallel with the function (IAM is eventually consistent):
        // a denial on the first receives is retried with the redelivery backoff instead of dead-lettered at once.
        var harness = new Harness();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Failed, "AccessDeniedException", transient: false, "not authorized to perform: ecr:PutImage"));

        var response = await harness.Processor.ProcessAsync(E.Batch(E.Received("1", "v1", "g", receive)), harness.Context(), CancellationToken.None);

        Assert.Equal(deadLettered ? [] : ["1"], Failed(response));
        Assert.Equal(deadLettered, harness.DeadLetter.Sent.Count == 1);
        Assert.Equal(2, RecordHandler.AccessDeniedGraceReceives); // the number docs/deploy.md gives
        if (deadLettered)
        {
            Assert.Equal("AccessDeniedException", Assert.Single(harness.DeadLetter.Sent).ErrorType);
        }
        else
        {
            Assert.Contains($"AccessDenied on receive {receive} of the message: retried", harness.Output.ToString(), StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// The key of a DESTINATION_CREDENTIALS parameter refused as unknown (DestinationResult.KeyRefused): a key just
    /// created and put into the parameter can be refused for some seconds (IAM is eventually consistent), so it gets the
    /// grace of an access denial, then goes to the dead-letter queue with its reason.
    /// </summary>
    [Theory]
    [InlineData("UnrecognizedClientException", 1, false)]
    [InlineData("UnrecognizedClientException", 2, false)]
    [InlineData("UnrecognizedClientException", 3, true)]
    [InlineData("DestinationCredentialsUnavailable", 1, false)]
    [InlineData("DestinationCredentialsUnavailable", 3, true)]
    public async Task A_refused_stored_key_is_retried_on_the_first_receives_then_dead_lettered(string errorCode, int receive, bool deadLettered)
    {
        var harness = new Harness();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(KeyRefused(FakeReplicator.Result(r, ReplicationOutcome.Failed, errorCode, transient: false, "The security token included in the request is invalid.")));

        var response = await harness.Processor.ProcessAsync(E.Batch(E.Received("1", "v1", "g", receive)), harness.Context(), CancellationToken.None);

        Assert.Equal(deadLettered ? [] : ["1"], Failed(response));
        Assert.Equal(deadLettered, harness.DeadLetter.Sent.Count == 1);
        if (deadLettered)
        {
            var sent = Assert.Single(harness.DeadLetter.Sent);
            Assert.Equal(errorCode, sent.ErrorType);
            Assert.Contains("The security token included in the request is invalid.", sent.Reason, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains($"Access key refused in us-west-2 ({errorCode}) on receive {receive} of the message: retried", harness.Output.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_key_refusal_of_credentials_not_stored_is_dead_lettered_on_the_first_receive()
    {
        // The replicator's own credentials or a role session: valid when handed out, so a refusal does not pass with time.
        var harness = new Harness();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Failed, "UnrecognizedClientException", transient: false, "The security token included in the request is invalid."));

        var response = await harness.Processor.ProcessAsync(E.Batch(E.Received("1", "v1", "g", 1)), harness.Context(), CancellationToken.None);

        Assert.Empty(Failed(response));
        Assert.Equal("UnrecognizedClientException", Assert.Single(harness.DeadLetter.Sent).ErrorType);
    }

    /// <summary>
    /// KMS refused ECR's kms:CreateGrant for a new KMS-encrypted destination repository (a KmsException whose kmsError is
    /// KMS's AccessDeniedException, DestinationResult.KmsAccessDenied): the stack adds that grant in the update that first
    /// sets DestinationKmsKeys, in parallel with the function, so it gets the grace of ECR's own access denial. Another
    /// KMS refusal (a disabled key) is dead-lettered on the first receive.
    /// </summary>
    [Theory]
    [InlineData(true, 1, false)]
    [InlineData(true, 2, false)]
    [InlineData(true, 3, true)]
    [InlineData(false, 1, true)]
    public async Task A_KMS_access_denial_is_retried_on_the_first_receives_as_an_ECR_one_is(bool kmsAccessDenied, int receive, bool deadLettered)
    {
        var harness = new Harness();
        harness.Replicator.OnReplicate = (r, _) =>
        {
            var failed = FakeReplicator.Result(r, ReplicationOutcome.Failed, "KmsException", transient: false, "User is not authorized to perform: kms:CreateGrant");
            return Task.FromResult(failed with { Destinations = [.. failed.Destinations.Select(d => d with { KmsAccessDenied = kmsAccessDenied })] });
        };

        var response = await harness.Processor.ProcessAsync(E.Batch(E.Received("1", "v1", "g", receive)), harness.Context(), CancellationToken.None);

        Assert.Equal(deadLettered ? [] : ["1"], Failed(response));
        Assert.Equal(deadLettered, harness.DeadLetter.Sent.Count == 1);
        if (deadLettered)
        {
            Assert.Equal("KmsException", Assert.Single(harness.DeadLetter.Sent).ErrorType);
        }
        else
        {
            Assert.Contains($"AccessDenied on receive {receive} of the message: retried", harness.Output.ToString(), StringComparison.Ordinal);
        }
    }

    private static ReplicationResult KeyRefused(ReplicationResult result) =>
        result with { Destinations = [.. result.Destinations.Select(d => d with { KeyRefused = true })] };

    [Fact]
    public async Task Another_permanent_failure_is_dead_lettered_on_the_first_receive()
    {
        var harness = new Harness();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Failed, "ImmutableTagConflict", transient: false, "tag v1 names another digest"));

        var response = await harness.Processor.ProcessAsync(E.Batch(E.Received("1", "v1", "g", 1)), harness.Context(), CancellationToken.None);

        Assert.Empty(Failed(response));
        Assert.Equal("ImmutableTagConflict", Assert.Single(harness.DeadLetter.Sent).ErrorType);
    }

    [Fact]
    public async Task A_dead_lettered_record_keeps_the_sender_it_was_enqueued_with_and_an_unmarked_one_gets_none()
    {
        // A redrive brings the dead-letter message back to the replication queue: a reconciler's record must still be
        // marked then, or RecordHandler counts it in ReplicationLatency as a fresh push.
        var harness = new Harness();
        var marked = E.Record("1", "not json {", "g1");
        marked.MessageAttributes[SenderAttribute.Name] = new SQSMessageAttribute { DataType = "String", StringValue = SenderAttribute.Reconciler };
        var pushed = E.Record("2", "[]", "g2");

        await harness.Processor.ProcessAsync(E.Batch(marked, pushed), harness.Context(), CancellationToken.None);

        var sent = harness.DeadLetter.Sent.ToDictionary(m => m.DeduplicationId);
        Assert.Equal(2, sent.Count);
        Assert.Equal(SenderAttribute.Reconciler, sent["1"].Sender);
        Assert.Null(sent["2"].Sender);
    }

    /// <summary>
    /// A message group id is a queue's own: SQS orders the messages of one group within one queue
    /// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-key-terms.html). Records of two
    /// queues that happen to share a group id (a hand-made batch; an event source mapping reads one queue) were one group
    /// here: a failure in one queue held the other's record back, and on its last receive dead-lettered it unrun, naming
    /// a message of the other queue as the one it waited for.
    /// </summary>
    [Fact]
    public async Task Records_of_two_queues_with_the_same_group_id_are_two_groups()
    {
        var harness = new Harness(options: new BatchProcessorOptions { MaxReceiveCount = 3 });
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(r.Source.Tag == "a1"
            ? FakeReplicator.Result(r, ReplicationOutcome.Failed, "ThrottlingException", transient: true)
            : FakeReplicator.Result(r, ReplicationOutcome.Replicated));
        var other = E.Received("b", "b1", "g", 3);
        var fromOtherQueue = new SQSMessage
        {
            MessageId = other.MessageId,
            Body = other.Body,
            Attributes = other.Attributes,
            ReceiptHandle = other.ReceiptHandle,
            EventSourceArn = "arn:aws:sqs:us-east-1:000000000000:other.fifo",
        };

        var response = await harness.Processor.ProcessAsync(E.Batch(E.Received("a", "a1", "g", 1), fromOtherQueue), harness.Context(), CancellationToken.None);

        Assert.Equal(["a"], Failed(response));
        Assert.Equal(["a1", "b1"], ReplicatedTags(harness));
        Assert.Empty(harness.DeadLetter.Sent);
    }

    /// <summary>
    /// A hand-made payload's message attribute written as null (Lambda sends an object for each): read as no sender,
    /// not a NullReferenceException that failed the record as transient on every receive, and failed its dead-letter
    /// send too, so it could never reach the dead-letter queue with a reason.
    /// </summary>
    [Fact]
    public async Task A_null_message_attribute_is_read_as_no_sender()
    {
        var harness = new Harness(options: new BatchProcessorOptions { MaxReceiveCount = 1 });
        var payload = $$"""{"Records":[{"messageId":"1","body":{{System.Text.Json.JsonSerializer.Serialize(Tagged("v1"))}},"attributes":{"MessageGroupId":"g1"},"messageAttributes":{"{{SenderAttribute.Name}}":null},"eventSourceARN":"{{E.QueueArn}}"},{"messageId":"2","body":"not json {","attributes":{"MessageGroupId":"g2"},"messageAttributes":{"{{SenderAttribute.Name}}":null},"eventSourceARN":"{{E.QueueArn}}"}]}""";
        var batch = System.Text.Json.JsonSerializer.Deserialize(payload, EventJsonContext.Default.SQSEvent)!;

        var response = await harness.Processor.ProcessAsync(batch, harness.Context(), CancellationToken.None);

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(["v1"], ReplicatedTags(harness));
        var dead = Assert.Single(harness.DeadLetter.Sent);
        Assert.Equal(("2", RecordHandler.InvalidEventErrorType, null), (dead.DeduplicationId, dead.ErrorType, dead.Sender));
    }

    /// <summary>
    /// A payload whose Records hold a null (not an SQS event: Lambda sends an object for each record) is an invocation
    /// error that says which record, as one without a messageId is, not a NullReferenceException naming nothing.
    /// </summary>
    [Fact]
    public async Task A_null_record_is_an_error_naming_it()
    {
        var harness = new Harness();
        var batch = System.Text.Json.JsonSerializer.Deserialize($$"""{"Records":[{"messageId":"1","body":"x"},null]}""", EventJsonContext.Default.SQSEvent)!;

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => harness.Processor.ProcessAsync(batch, harness.Context(), CancellationToken.None));

        Assert.Equal("Record 2 of the batch is null, not an SQS message.", error.Message);
        Assert.Empty(harness.Replicator.Calls);
    }
}
