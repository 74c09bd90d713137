using Replicator.Cli.Composition;
using Replicator.Function.Enqueue;
using Replicator.Function.Events;
using Replicator.Cli.Inventory;
using Replicator.Cli.Output;
using Replicator.Cli.Selection;

namespace Replicator.Cli.Commands;

/// <summary><c>sync --enqueue</c>: one tagged PUSH event per selected image, sent in batches of 10 (SQS's batch limit).</summary>
public static class Enqueuer
{
    /// <summary>SendMessageBatch takes at most 10 entries (SQS API reference).</summary>
    public const int BatchSize = 10;

    public static async Task<int> EnqueueAsync(
        IMessageSender sender,
        CliConsole console,
        SelectionCriteria criteria,
        IReadOnlyList<SourceImageEntry> images,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(criteria);
        ArgumentNullException.ThrowIfNull(images);
        var messages = images.Select(i => EventFactory.Message(EventFactory.Push(
            i.RegistryId ?? throw new UsageException($"the source did not report the account of {i.Image.Repository}"),
            criteria.SourceRegion,
            i.Image.Repository,
            i.Image.Digest,
            i.Image.Tag,
            now))).ToList();
        var failures = new List<string>();
        var sent = 0;
        foreach (var batch in messages.Chunk(BatchSize))
        {
            var failed = await sender.SendBatchAsync(batch, cancellationToken);
            failures.AddRange(failed);
            sent += batch.Length - failed.Count;
            console.Line($"sent {sent} of {messages.Count} message(s)");
        }

        foreach (var failure in failures)
        {
            console.Error(failure);
        }

        console.Line($"{sent} message(s) queued, {failures.Count} refused; the function replicates them to its configured destinations");
        return failures.Count == 0 ? ExitCodes.Success : ExitCodes.Failed;
    }
}
