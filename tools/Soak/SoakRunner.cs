using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LocalEcr;
using Replicator.Core.Configuration;
using Replicator.Core.Copy;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Core.Resilience;
using Replicator.Core.Signing;
using Replicator.Function.Configuration;
using Replicator.Function.Events;
using Replicator.Function.Observability;
using Replicator.Function.Processing;
using Replicator.Function.Redelivery;
using Replicator.Samples;

namespace Soak;

/// <summary>
/// The soak: many PUSH events over many repositories through the function's batch processing (real engine, in-process
/// LocalEcr, seeded random faults), fed by a simulated FIFO queue with redelivery and redrive; then every message's
/// end state is verified against the registry and the dead-letter queue.
/// </summary>
public static class SoakRunner
{
    private const string Source = "us-east-1";
    private static readonly string[] Destinations = ["us-west-2", "eu-west-1"];

    public static async Task<SoakReport> RunAsync(SoakSettings settings, TextWriter? functionOutput = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var started = TimeProvider.System.GetTimestamp();
        var random = new Random(settings.Seed);
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions(), cancellationToken);
        using var http = EcrClientFactory.CreateHttpClient();
        var environment = new InMemoryEnvironmentVariables(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_ECR"] = server.BaseAddress.ToString() });
        var clients = new EcrClientFactory(http, new StaticCredentialsSource(new AwsCredentials("test", "test")), environment, timeout: TimeSpan.FromSeconds(10));

        var messages = Plan(settings, random, server.AccountId);
        await PrepareAsync(clients, messages, settings.Seed, cancellationToken);

        var deadLetters = new RecordingDeadLetterQueue();
        var outage = settings.Outage > TimeSpan.Zero;
        var queue = new SimulatedFifoQueue(settings.MaxReceiveCount, deadLetters, timed: outage);
        foreach (var message in messages)
        {
            queue.Send(message.Record);
        }

        var lastResults = new ConcurrentDictionary<string, RecordResult>(StringComparer.Ordinal);
        var dice = new FaultDice(new Random(settings.Seed + 1), settings.FaultRate);
        var sink = new OutputSink(functionOutput ?? TextWriter.Null);
        var config = new FunctionConfig { Region = Source, Destinations = [.. Destinations.Select(d => new ReplicationDestination(d))] };
        var logger = new FunctionLogger(sink, LogLevel.Info, LogFormat.Json, TimeProvider.System);
        var metrics = new MetricsWriter(sink, config.MetricsNamespace, TimeProvider.System);
        var invocations = 0;
        var reportedFailures = 0;
        var outageActive = outage ? 1 : 0;
        if (outage)
        {
            // Every ECR operation of the destination fails, as in a regional outage, until the simulated clock passes its end.
            foreach (var operation in OutageOperations)
            {
                server.Faults.FailNext(operation, int.MaxValue, "ServiceUnavailable", 503, region: settings.OutageRegion);
            }
        }

        // The order in which each group's records completed, to check that FIFO order held.
        var completedOrder = new ConcurrentDictionary<string, ConcurrentQueue<string>>(StringComparer.Ordinal);
        var scheduler = outage
            ? new RedeliveryScheduler(queue, new RedeliverySettings { BaseSeconds = settings.RetryBaseSeconds, MaxSeconds = settings.RetryMaxSeconds }, null, logger, new Random(settings.Seed + 2).NextDouble)
            : null;

        async Task PollAsync(int poller)
        {
            var handler = new RecordHandler(config, new ImageReplicator(clients, http, EngineOptions), logger, metrics, TimeProvider.System);
            var processor = new BatchProcessor(
                async (record, requestId, token) =>
                {
                    var result = lastResults[record.MessageId!] = await handler.HandleAsync(record, requestId, token);
                    if (result.IsDone)
                    {
                        completedOrder.GetOrAdd(record.MessageGroupId ?? record.MessageId!, _ => new()).Enqueue(record.MessageId!);
                    }

                    return result;
                },
                deadLetters,
                logger,
                // MAX_RECEIVE_COUNT as the template sets it (the queue's maxReceiveCount): the function dead-letters a
                // record on its last receive with its reason; the queue's own redrive is left for a failed send.
                new BatchProcessorOptions { MaxReceiveCount = settings.MaxReceiveCount },
                scheduler);
            while (!cancellationToken.IsCancellationRequested)
            {
                if (outage && queue.Now >= (long)settings.Outage.TotalSeconds && Interlocked.Exchange(ref outageActive, 0) == 1)
                {
                    server.Faults.Clear();
                }

                var batch = queue.Receive();
                if (batch.Count == 0)
                {
                    if (queue.IsDrained)
                    {
                        return;
                    }

                    if (!outage || !queue.AdvanceToNextVisible())
                    {
                        await Task.Delay(5, cancellationToken);
                    }

                    continue;
                }

                if (outage)
                {
                    // An invocation takes time too: one simulated second each.
                    queue.Advance(1);
                }
                else
                {
                    dice.Roll(server.Faults);
                }

                var requestId = $"soak-{poller}-{Interlocked.Increment(ref invocations)}";
                var response = await processor.ProcessAsync(new SQSEvent { Records = [.. batch.Select(e => e.Message)] }, new SoakLambdaContext(requestId), cancellationToken);
                var failed = response.BatchItemFailures.Select(f => f.ItemIdentifier!).ToHashSet(StringComparer.Ordinal);
                Interlocked.Add(ref reportedFailures, failed.Count);
                queue.Complete(batch, failed, id => lastResults.TryGetValue(id, out var r) ? $"{r.ErrorType}: {r.Reason}" : "reported failed before it started");
            }
        }

        await Task.WhenAll(Enumerable.Range(0, settings.Pollers).Select(PollAsync));
        server.Faults.Clear();

        var report = await VerifyAsync(clients, messages, queue, deadLetters, lastResults);
        var outOfOrder = completedOrder
            .Where(g => !g.Value.SequenceEqual(g.Value.Order(StringComparer.Ordinal)))
            .Select(g => $"{g.Key}: records completed out of order ({string.Join(", ", g.Value.Take(5))} ...)")
            .ToList();
        return report with
        {
            Problems = [.. report.Problems, .. outOfOrder],
            SimulatedSeconds = queue.Now,
            VisibilityChanges = queue.VisibilityChanges,
            Settings = settings,
            Invocations = invocations,
            ReportedFailures = reportedFailures,
            FaultsInjected = dice.Injected,
            Duration = TimeProvider.System.GetElapsedTime(started),
        };
    }

    private static readonly string[] OutageOperations =
    [
        "BatchGetImage", "BatchCheckLayerAvailability", "DescribeImages", "DescribeRepositories", "CreateRepository", "ListImages",
        "InitiateLayerUpload", "UploadLayerPart", "CompleteLayerUpload", "PutImage", "ListTagsForResource", "GetLifecyclePolicy",
        "GetRepositoryPolicy", "BatchDeleteImage",
    ];

    /// <summary>Fast retries with a small budget, so injected bursts sometimes outlast it and exercise redelivery.</summary>
    private static ReplicatorOptions EngineOptions { get; } = new()
    {
        Retry = new RetrySettings { MaxRetries = 2, MaxLayerRestarts = 1, BaseDelay = TimeSpan.FromMilliseconds(1), ThrottlingBaseDelay = TimeSpan.FromMilliseconds(2), MaxDelay = TimeSpan.FromMilliseconds(20) },
        BlobCopy = new BlobCopyOptions { AllowInsecureDownloads = true, ReadTimeout = TimeSpan.FromSeconds(2) },
        PutImageRatePerSecond = 1000,
    };

    private static List<SoakMessage> Plan(SoakSettings settings, Random random, string account)
    {
        var messages = new List<SoakMessage>(settings.Messages);
        var time = new DateTimeOffset(2026, 11, 28, 5, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < settings.Messages; i++)
        {
            var repository = $"soak/repo-{i % settings.Repositories:D2}";
            var tag = $"m{i:D4}";
            var layers = Enumerable.Range(0, random.Next(1, 3)).Select(_ => (long)random.Next(1, settings.MaxLayerBytes)).ToArray();
            var image = new SampleImageBuilder((ulong)(settings.Seed * 100_000L) + (ulong)i).Image(SampleFormat.Oci, layers);
            var roll = random.NextDouble();
            var setup = roll < settings.ImmutableConflictRate ? SoakSetup.ImmutableConflict
                : roll < settings.ImmutableConflictRate + settings.DeletedSourceRate ? SoakSetup.DeletedSource
                : SoakSetup.Plain;
            var id = string.Create(CultureInfo.InvariantCulture, $"{settings.Seed:D4}-{i:D6}");
            messages.Add(new SoakMessage(SoakEvents.Push(id, account, Source, repository, image.Digest, tag, time.AddSeconds(i)), repository, tag, image, setup));
        }

        return messages;
    }

    private static async Task PrepareAsync(EcrClientFactory clients, List<SoakMessage> messages, int seed, CancellationToken cancellationToken)
    {
        var source = clients.GetClient(Source);
        await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (m, ct) =>
            await SampleImagePusher.PushAsync(source, m.Repository, m.Image, m.Tag, ct));

        var west = clients.GetClient(Destinations[0]);
        foreach (var (conflict, index) in messages.Select((m, i) => (m, i)).Where(p => p.m.Setup == SoakSetup.ImmutableConflict))
        {
            try
            {
                await west.CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = conflict.Repository, ImageTagMutability = ImageTagMutability.Immutable }, cancellationToken);
            }
            catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryAlreadyExistsException)
            {
            }

            var squatter = new SampleImageBuilder((ulong)seed + 7_000_000UL + (ulong)index).Image(SampleFormat.Oci, [1_000]);
            await SampleImagePusher.PushAsync(west, conflict.Repository, squatter, conflict.Tag, cancellationToken);
        }

        foreach (var deleted in messages.Where(m => m.Setup == SoakSetup.DeletedSource))
        {
            await source.BatchDeleteImageAsync(new BatchDeleteImageRequest { RepositoryName = deleted.Repository, ImageIds = [new ImageIdentifier { ImageDigest = deleted.Image.Digest }] }, cancellationToken);
        }
    }

    private static async Task<SoakReport> VerifyAsync(
        EcrClientFactory clients,
        List<SoakMessage> messages,
        SimulatedFifoQueue queue,
        RecordingDeadLetterQueue deadLetters,
        ConcurrentDictionary<string, RecordResult> lastResults)
    {
        var replicated = 0;
        var skipped = 0;
        var lost = 0;
        var deadLettered = new Dictionary<string, int>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var id in deadLetters.Duplicates)
        {
            problems.Add($"{id}: dead-lettered twice");
        }

        foreach (var m in messages)
        {
            var id = m.Record.MessageId!;
            var acknowledged = queue.Acknowledged.Contains(id);
            if (deadLetters.Messages.TryGetValue(id, out var dead))
            {
                var redriven = dead.ErrorType == SimulatedFifoQueue.RedriveErrorType;
                // Out of receives: the queue's redrive, or the function's own send on the last receive (acknowledged).
                var exhausted = redriven || dead.ErrorType == BatchProcessor.ReceivesExhaustedErrorType;
                var reason = exhausted ? $"{dead.ErrorType}:{(lastResults.TryGetValue(id, out var last) ? last.ErrorType : "NotRun")}" : dead.ErrorType;
                deadLettered[reason] = deadLettered.GetValueOrDefault(reason) + 1;
                // The function acknowledges what it dead-letters itself; SQS redrives only what stayed unacknowledged.
                if (acknowledged == redriven)
                {
                    problems.Add($"{id}: dead-lettered ({dead.ErrorType}) but {(acknowledged ? "also" : "not")} acknowledged");
                }

                if (string.IsNullOrWhiteSpace(dead.Reason) || dead.Body != m.Record.Body)
                {
                    problems.Add($"{id}: dead-lettered without its reason or body");
                }

                if (!exhausted && (m.Setup == SoakSetup.ImmutableConflict) != (dead.ErrorType == ReplicationErrorCodes.ImmutableTagConflict))
                {
                    problems.Add($"{id} ({m.Setup}): dead-lettered as {dead.ErrorType}: {dead.Reason}");
                }

                continue;
            }

            if (!acknowledged)
            {
                lost++;
                problems.Add($"{id}: neither acknowledged nor dead-lettered");
                continue;
            }

            var present = 0;
            foreach (var region in Destinations)
            {
                present += await HasImageAsync(clients.GetClient(region), m, checkTag: m.Setup == SoakSetup.Plain) ? 1 : 0;
            }

            switch (m.Setup)
            {
                case SoakSetup.Plain when present == Destinations.Length:
                    replicated++;
                    break;
                case SoakSetup.DeletedSource when present == 0:
                    skipped++;
                    break;
                default:
                    lost++;
                    problems.Add($"{id} ({m.Setup}): acknowledged, but present and verified in {present} of {Destinations.Length} destinations");
                    break;
            }
        }

        return new SoakReport
        {
            Settings = new SoakSettings(),
            Messages = messages.Count,
            Replicated = replicated,
            Skipped = skipped,
            DeadLettered = deadLettered,
            Lost = lost,
            Problems = problems,
            FaultsInjected = new Dictionary<string, int>(),
        };
    }

    /// <summary>The manifest stored under the digest hashes to it, and (when asked) the tag points at it.</summary>
    private static async Task<bool> HasImageAsync(IEcrClient client, SoakMessage m, bool checkTag)
    {
        try
        {
            var response = await client.BatchGetImageAsync(new BatchGetImageRequest
            {
                RepositoryName = m.Repository,
                ImageIds = checkTag ? [new ImageIdentifier { ImageDigest = m.Image.Digest, ImageTag = m.Tag }] : [new ImageIdentifier { ImageDigest = m.Image.Digest }],
                AcceptedMediaTypes = [.. Replicator.Core.Manifests.MediaTypes.AcceptedManifestTypes],
            });
            var manifest = response.Images?.FirstOrDefault()?.ImageManifest;
            return manifest is not null && "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest))) == m.Image.Digest;
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
        {
            return false;
        }
    }
}
