using System.CommandLine;
using Replicator.Cli.Composition;
using Replicator.Function.Enqueue;
using Replicator.Cli.Inventory;
using Replicator.Cli.Output;
using Replicator.Cli.Selection;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;
using Replicator.Core.Signing;

namespace Replicator.Cli.Commands;

/// <summary><c>sync</c>: replicate what already exists (push events never cover images older than the deployment).</summary>
public static class SyncCommand
{
    public const int MaxParallel = 64;

    public static Command Create(CliContext context)
    {
        var selection = new SelectionOptions();
        var dryRun = new Option<bool>("--dry-run") { Description = "Show the plan (images, bytes, what is already there); write nothing" };
        var parallel = new Option<int>("--parallel")
        {
            Description = $"Images replicated (with --dry-run, planned) at once, 1 to {MaxParallel}",
            HelpName = "N",
            DefaultValueFactory = _ => 4,

            // Parsed here rather than checked after System.CommandLine's conversion, so a value that is no number
            // (or one past int) gets the same one-line error as one out of range.
            CustomParser = WholeNumberOption.Parser("--parallel", 1, MaxParallel),
        };
        var enqueue = new Option<string?>("--enqueue")
        {
            Description = "Instead of copying, send the PUSH event of each tag and referrer a destination lacks or holds at another digest to the replicator's SQS FIFO queue (the scheduled reconcile's drift finding). Use it while the stack runs: a direct copy is outside the repository's message group, so a tag that a push moves during it can be put back to its older digest until the next reconcile",
            HelpName = "QUEUE_URL",
        };
        var all = new Option<bool>("--all") { Description = "With --enqueue: one event per selected tag, whatever the destinations hold, for the function's own destinations (so without --destination-region)" };

        var command = new Command("sync", "Replicate existing images from the source region to the destination regions");
        selection.AddTo(command);
        command.Options.Add(dryRun);
        command.Options.Add(parallel);
        command.Options.Add(enqueue);
        command.Options.Add(all);
        command.SetAction((parse, ct) =>
        {
            // The flags' own combinations first: the selection's checks assume them (--all makes --destination-region
            // optional), so a misplaced flag would otherwise be reported as a selection mistake it did not make.
            CheckFlags(parse.GetValue(dryRun), parse.GetValue(enqueue), parse.GetValue(all), parse.GetResult(parallel) is { Implicit: false });

            // Queued events go to the function's own DESTINATION_REGIONS; with --all nothing is compared, so
            // --destination-region is optional then.
            var criteria = selection.Read(parse, context, requireDestinations: !(parse.GetValue(enqueue) is not null && parse.GetValue(all)));
            return RefusedSourceKey.ExplainAsync(criteria.SourceRegion, () => RunAsync(
                context,
                criteria,
                parse.GetValue(dryRun),
                parse.GetValue(parallel),
                parse.GetValue(enqueue),
                parse.GetValue(all),
                ct));
        });
        return command;
    }

    private static void CheckFlags(bool dryRun, string? queueUrl, bool all, bool parallelGiven)
    {
        if (dryRun && queueUrl is not null)
        {
            throw new UsageException("--dry-run and --enqueue cannot be combined");
        }

        if (parallelGiven && queueUrl is not null)
        {
            // --enqueue copies nothing (the function copies what it sends, one repository's events in order), so a
            // --parallel N would be taken silently for a speed-up it does not give.
            throw new UsageException("--parallel sets how many images are copied at once, and --enqueue copies nothing (the function copies the events it sends): leave --parallel out");
        }

        if (all && queueUrl is null)
        {
            throw new UsageException("--all goes with --enqueue");
        }
    }

    private static async Task<int> RunAsync(CliContext context, SelectionCriteria criteria, bool dryRun, int parallel, string? queueUrl, bool all, CancellationToken cancellationToken)
    {

        if (all && criteria.Destinations.Count > 0)
        {
            // --all compares nothing, and the function replicates each event to its own DESTINATION_REGIONS: a region
            // given here would change nothing, and a line naming it would say otherwise.
            throw new UsageException("--destination-region has no effect with --enqueue --all (the function replicates the events to its own DESTINATION_REGIONS): leave it out, or drop --all to enqueue only what that destination lacks");
        }

        var queue = queueUrl is null ? null : ParseQueueUrl(queueUrl);
        if (queue is not null && SqsQueueUrl.RegionOf(queue) is { } queueRegion && queueRegion != criteria.SourceRegion)
        {
            // The function refuses an event of another region than its own (and its queue is in its own region), so
            // every message sent would end in the dead-letter queue: refused before anything is read or sent.
            throw new UsageException($"--enqueue names a queue in {queueRegion}, whose function replicates only images pushed in {queueRegion}, not in --source-region {criteria.SourceRegion}: give the queue of the stack in {criteria.SourceRegion}");
        }

        var console = new CliConsole(context);
        var progress = new ProgressObserver(console, cancellationToken);
        using var services = new CliServices(context, criteria, observer: progress, usesDestinations: !all, copies: queue is null && !dryRun);
        string? sourceAccount = null;
        if (queue is not null && SqsQueueUrl.AccountOf(queue) is { } queueAccount
            && (sourceAccount = await SourceAccount.OfRegistryAsync(services.Clients.GetClient(criteria.SourceRegion), cancellationToken)) is not null
            && sourceAccount != queueAccount)
        {
            // The same for the account: the function refuses an event of another account than its queue's
            // (RecordDecision.RequireOwnSource), so each message would be dead-lettered; one DescribeRepositories says so first.
            throw new UsageException($"--enqueue names a queue of account {queueAccount}, whose function replicates only the images of account {queueAccount}, not of the source registry's account {sourceAccount}: give the queue of the stack in account {sourceAccount}");
        }

        if (!all)
        {
            await SourceRegistryDestination.RefuseAsync(services.Clients.GetClient(criteria.SourceRegion), services.Destinations, criteria, sourceAccount, cancellationToken);
        }

        IMessageSender? sender = queue is null ? null : new QueueNamingSender(queue, context.MessageSenderFactory?.Invoke(queue.AbsoluteUri) ?? new SqsMessageSender(
            CreateSqsClient(context, QueueRegion(queue, criteria.SourceRegion)),
            queue.AbsoluteUri));
        if (sender is not null && !all)
        {
            return await NamingTheQueue(queue!, () => Enqueuer.EnqueueDriftAsync(sender, console, services, criteria, context.Time, cancellationToken));
        }

        var repositories = ImageInventory.SelectSourceAsync(services.Clients.GetClient(criteria.SourceRegion), criteria, applySince: true, cancellationToken);
        if (sender is not null)
        {
            return await NamingTheQueue(queue!, () => Enqueuer.EnqueueAllAsync(sender, console, criteria, repositories, context.Time.GetUtcNow(), cancellationToken));
        }

        if (dryRun)
        {
            // The plan's tables list only what can be copied; archived tags left out are said per repository.
            var noted = repositories.Select(repository =>
            {
                if (repository.InactiveSummary is { } inactive)
                {
                    console.Line($"{repository.Name} ({criteria.SourceRegion}): {inactive}");
                }

                return repository;
            });
            return await DryRun.RunAsync(services.Previewer, console, Requests(criteria, noted), parallel, cancellationToken);
        }

        // A dry run's tables name every image they plan; a copy's lines come as images finish, so each repository's
        // listing is announced as the run starts on it.
        var requests = Requests(
            criteria,
            repositories.Select(repository =>
            {
                Enqueuer.Selected(console, criteria, repository, string.Join(", ", criteria.Destinations));
                return repository;
            }));
        return await ReplicationRunner.RunAsync(services, progress, console, requests, parallel, cancellationToken);
    }

    private static IAsyncEnumerable<IReadOnlyList<ReplicationRequest>> Requests(SelectionCriteria criteria, IAsyncEnumerable<SourceRepository> repositories) =>
        repositories.Select(repository => (IReadOnlyList<ReplicationRequest>)[.. Requests(criteria, repository)]);

    /// <summary>The replication request of each selected tag of one repository.</summary>
    private static IEnumerable<ReplicationRequest> Requests(SelectionCriteria criteria, SourceRepository repository)
    {
        foreach (var image in repository.Images)
        {
            var account = repository.RegistryId ?? throw new UsageException($"the source did not report the account of {repository.Name}");
            yield return new ReplicationRequest(
                new ImageReference(account, criteria.SourceRegion, image.Repository, image.Digest, image.Tag),
                criteria.Destinations);
        }
    }

    private static Amazon.SQS.IAmazonSQS CreateSqsClient(CliContext context, string region)
    {
        try
        {
            return SqsMessageSender.CreateClient(region, context.Environment, context.Credentials is null ? null : new CredentialsSourceAdapter(context.Credentials));
        }
        catch (Core.Configuration.SettingException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>
    /// A queue SQS does not know (a mistyped or another stack's URL) is named with the URL given and where the right
    /// one comes from: SQS's own message names neither. The code is the JSON protocol's (<c>QueueDoesNotExist</c>) or
    /// the query protocol's (<c>AWS.SimpleQueueService.NonExistentQueue</c>), which SQS's query-compatible mode and
    /// older endpoints send.
    /// </summary>
    private static async Task<int> NamingTheQueue(Uri queue, Func<Task<int>> enqueue)
    {
        try
        {
            return await enqueue();
        }
        catch (Amazon.SQS.AmazonSQSException ex) when (ex.ErrorCode is "QueueDoesNotExist" or "AWS.SimpleQueueService.NonExistentQueue")
        {
            throw new UsageException($"--enqueue {queue.AbsoluteUri}: {ex.ErrorCode}: {ex.Message.TrimEnd('.')}; give the stack's queue, its ReplicationQueueUrl output (aws cloudformation describe-stacks)");
        }
    }

    /// <summary>
    /// AWSSDK.SQS lets a transport failure out as the HttpRequestException it is ("Connection refused (HOST:PORT)"),
    /// and a request past the client's timeout as HttpClient's inner TimeoutException ("The operation was canceled.",
    /// https://github.com/aws/aws-sdk-net/issues/1904, as over a network path that drops the packets), neither of which
    /// names a service, and the second reads as if the operator had cancelled: the same exception, its message led by
    /// the queue, says it was the SQS queue that could not be reached or did not answer (and not ECR, whose client
    /// names itself).
    /// </summary>
    private sealed class QueueNamingSender(Uri queue, IMessageSender inner) : IMessageSender
    {
        public async Task<IReadOnlyList<MessageRefusal>> SendBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
        {
            try
            {
                return await inner.SendBatchAsync(messages, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new HttpRequestException($"SQS queue {queue.AbsoluteUri} could not be reached: {e.Message}", e, e.StatusCode);
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"SQS queue {queue.AbsoluteUri} did not answer in time: {e.Message}", e);
            }
        }
    }

    // A FIFO queue, as the function's RECONCILE_QUEUE_URL: the events go to their repository's message group, which
    // only a FIFO queue keeps in order (and SendMessage with a MessageGroupId fails on a standard queue).
    private static Uri ParseQueueUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri.AbsolutePath.EndsWith(".fifo", StringComparison.Ordinal)
                ? uri
                : throw new UsageException($"--enqueue {Core.Validation.EcrNames.Quote(value)} is not a FIFO queue (a FIFO queue's name ends in .fifo): give the stack's replication queue")
            : throw new UsageException($"--enqueue {Core.Validation.EcrNames.Quote(value)} is not a queue URL such as https://sqs.us-east-1.amazonaws.com/123456789012/replicator.fifo");

    /// <summary>The region in an SQS URL, else the source region (a local endpoint).</summary>
    private static string QueueRegion(Uri queue, string fallback) => SqsQueueUrl.RegionOf(queue) ?? fallback;
}
