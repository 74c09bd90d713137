using Moq;
using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;
using Replicator.Samples;
using Replicator.Testing;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// ECR's managed signing stores an image's signature after the push (AWS Signer), and the push event can come first: a
/// copy made then would list no signature and leave every destination holding the image unsigned. The engine asks the
/// source for the image's signing status and waits, up to <see cref="ReplicatorOptions.SignatureWait"/>, for the
/// profiles still IN_PROGRESS, then lists the referrers. LocalEcr signs a push its rule matches after
/// <c>SigningDuration</c>; here a long one, ended by the test during the engine's first pause.
/// </summary>
public sealed class SourceSignatureWaitTests
{
    private const string Profile = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/release";

    [Fact]
    public async Task A_signature_ECR_is_still_making_is_waited_for_and_copied_with_the_image()
    {
        await using var h = await SigningAsync();
        var image = new SampleImageBuilder(seed: 71).Image(SampleFormat.Oci, [2048]);
        await h.PushAsync(Source, "signed/app", image, "v1");
        var clock = new WaitsElapseAtOnceClock(h.Server.FinishSigning);

        var result = await h.Replicator(Waiting(30), time: clock).ReplicateAsync(Request("signed/app", image.Digest, "v1", West), CancellationToken.None);

        var destination = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Replicated, destination.Outcome);
        Assert.Null(destination.Message);
        var signature = Assert.Single(await SignaturesAsync(h.Client(Source), "signed/app", image.Digest));
        Assert.Equal([signature], destination.ReferrersPut);
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("signed/app", signature), "the signature is not in us-west-2");

        // One pause (the first, 1 s), during which the signing ended; two reads of the status. (The clock's other waits
        // are the PutImage pacer's milliseconds.)
        Assert.Equal([TimeSpan.FromSeconds(1)], Pauses(clock));
        Assert.Equal(2, h.Calls(Source, "DescribeImageSigningStatus"));
    }

    [Fact]
    public async Task A_signature_not_made_within_the_wait_leaves_the_image_copied_with_a_note_and_the_pauses_grow_to_five_seconds()
    {
        await using var h = await SigningAsync();
        var image = new SampleImageBuilder(seed: 72).Image(SampleFormat.Oci, [2048]);
        await h.PushAsync(Source, "signed/app", image, "v1");
        var clock = new WaitsElapseAtOnceClock();
        // The engine's clock is the test's, so a wait that never reached its limit would poll forever: bounded in real
        // time, it fails instead of hanging the run.
        using var bounded = new CancellationTokenSource(Bound);

        var result = await h.Replicator(Waiting(20), time: clock).ReplicateAsync(Request("signed/app", image.Digest, "v1", West), bounded.Token);

        var destination = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Replicated, destination.Outcome);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "signed/app", "v1"));
        Assert.Empty(destination.ReferrersPut);
        Assert.Contains($"ECR's managed signing of the source image was still in progress after 20 s (signing profile {Profile})", destination.Message, StringComparison.Ordinal);
        Assert.Contains("left to its own push event and the reconciler", destination.Message, StringComparison.Ordinal);
        // 1 + 2 + 4 + 5 + 5 = 17 s, then the 3 s that remain: never a pause past the limit.
        Assert.Equal([1, 2, 4, 5, 5, 3], Pauses(clock).Select(w => w.TotalSeconds));
        Assert.Equal(7, h.Calls(Source, "DescribeImageSigningStatus"));
    }

    [Fact]
    public async Task An_image_nothing_signs_costs_one_status_read_and_no_pause_and_a_zero_wait_reads_nothing()
    {
        await using var h = await SigningAsync();
        var image = new SampleImageBuilder(seed: 73).Image(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "plain", image, "v1");
        var clock = new WaitsElapseAtOnceClock();

        var waited = await h.Replicator(Waiting(30), time: clock).ReplicateAsync(Request("plain", image.Digest, "v1", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Replicated, Assert.Single(waited.Destinations).Outcome);
        Assert.Null(waited.Destinations[0].Message);
        Assert.Empty(Pauses(clock));
        Assert.Equal(1, h.Calls(Source, "DescribeImageSigningStatus"));

        var signed = new SampleImageBuilder(seed: 74).Image(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "signed/app", signed, "v1");
        var off = await h.Replicator(Waiting(0), time: clock).ReplicateAsync(Request("signed/app", signed.Digest, "v1", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Replicated, Assert.Single(off.Destinations).Outcome);
        Assert.Null(off.Destinations[0].Message);
        Assert.Equal(1, h.Calls(Source, "DescribeImageSigningStatus"));
    }

    [Fact]
    public async Task A_status_the_source_refuses_does_not_hold_the_copy_and_the_note_says_why()
    {
        await using var h = await SigningAsync();
        var image = new SampleImageBuilder(seed: 75).Image(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "signed/app", image, "v1");
        h.Server.Faults.FailNext("DescribeImageSigningStatus", 1, "AccessDeniedException", region: Source, message: "User is not authorized to perform: ecr:DescribeImageSigningStatus");
        var clock = new WaitsElapseAtOnceClock();

        var result = await h.Replicator(Waiting(30), time: clock).ReplicateAsync(Request("signed/app", image.Digest, "v1", West), CancellationToken.None);

        var destination = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Replicated, destination.Outcome);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "signed/app", "v1"));
        Assert.Contains("the source's managed signing status could not be read (DescribeImageSigningStatus: AccessDeniedException)", destination.Message, StringComparison.Ordinal);
        Assert.Empty(Pauses(clock));
    }

    /// <summary>
    /// An image or repository deleted from the source since the event was read: its status read is skipped, with no
    /// note, and the other manifests are read as before (the copy finds the deletion itself and decides it as a stale
    /// event); any other refusal is a note (see the test above).
    /// </summary>
    [Theory]
    [InlineData(EcrErrorCodes.ImageNotFoundException)]
    [InlineData(EcrErrorCodes.RepositoryNotFoundException)]
    public async Task A_manifest_deleted_from_the_source_since_the_event_is_not_waited_for_and_adds_no_note(string code)
    {
        const string Other = "sha256:0000000000000000000000000000000000000000000000000000000000000002";
        var reads = new List<string>();
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.DescribeImageSigningStatusAsync(It.IsAny<DescribeImageSigningStatusRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((DescribeImageSigningStatusRequest request, CancellationToken _) =>
            {
                var digest = request.ImageId!.ImageDigest!;
                reads.Add(digest);
                return digest == Digest
                    ? throw new EcrException(code, "gone", System.Net.HttpStatusCode.BadRequest, operation: "DescribeImageSigningStatus")
                    : new DescribeImageSigningStatusResponse { SigningStatuses = [new ImageSigningStatus { SigningProfileArn = Profile, Status = SigningStatus.Complete }] };
            });
        var clock = new WaitsElapseAtOnceClock();

        var note = await new SourceSignatureWait(TimeSpan.FromSeconds(30), clock).WaitAsync(client.Object, Reference, [Digest, Other], CancellationToken.None);

        Assert.Null(note);
        Assert.Equal([Digest, Other], reads);
        Assert.Empty(clock.Waits);
    }

    [Fact]
    public async Task A_signature_pushed_on_its_own_is_not_waited_for()
    {
        PassThroughRecorder? recorder = null;
        await using var h = await SigningAsync(inner => recorder = new PassThroughRecorder(inner));
        var builder = new SampleImageBuilder(seed: 76);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var sbom = builder.Artifact(image.Root);
        await h.PushAsync(Source, "plain", image, "v1");
        await h.PushAsync(Source, "plain", sbom, null);
        var clock = new WaitsElapseAtOnceClock();

        var result = await h.Replicator(Waiting(30), time: clock).ReplicateAsync(Request("plain", sbom.Digest, null, West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("plain", sbom.Digest));
        // The subject, copied first, is asked about; the referrer itself is not.
        var asked = Assert.Single(StatusReads(recorder!));
        Assert.Contains(image.Digest, asked, StringComparison.Ordinal);
        Assert.DoesNotContain(sbom.Digest, asked, StringComparison.Ordinal);
    }

    /// <summary>
    /// The status is read before the referrers are listed: a signing that ends just before the first read (the status
    /// COMPLETE at once, nothing to wait for) still puts its signature in the same copy.
    /// </summary>
    [Fact]
    public async Task A_signing_that_ends_just_before_the_first_status_read_is_copied_with_the_image()
    {
        BeforeRequestHandler? hook = null;
        await using var h = await SigningAsync(inner => hook = new BeforeRequestHandler(inner));
        var image = new SampleImageBuilder(seed: 78).Image(SampleFormat.Oci, [2048]);
        await h.PushAsync(Source, "signed/app", image, "v1");
        hook!.Arm("DescribeImageSigningStatus", image.Digest, () =>
        {
            h.Server.FinishSigning();
            return Task.CompletedTask;
        });
        var clock = new WaitsElapseAtOnceClock();

        var result = await h.Replicator(Waiting(30), time: clock).ReplicateAsync(Request("signed/app", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(hook.Fired);
        var destination = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Replicated, destination.Outcome);
        Assert.Null(destination.Message);
        var signature = Assert.Single(await SignaturesAsync(h.Client(Source), "signed/app", image.Digest));
        Assert.Equal([signature], destination.ReferrersPut);
        Assert.Empty(Pauses(clock));
        Assert.Equal(1, h.Calls(Source, "DescribeImageSigningStatus"));
    }

    /// <summary>
    /// Each manifest of a multi-arch index comes with its own PutImage, and LocalEcr signs each (whether ECR does is not
    /// documented): the wait covers them all, and every signature travels with the index.
    /// </summary>
    [Fact]
    public async Task The_manifests_an_index_lists_are_waited_for_and_their_signatures_copied_with_it()
    {
        await using var h = await SigningAsync();
        var index = new SampleImageBuilder(seed: 79).MultiArch(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "signed/multi", index, "v1");
        var clock = new WaitsElapseAtOnceClock(h.Server.FinishSigning);

        var result = await h.Replicator(Waiting(30), time: clock).ReplicateAsync(Request("signed/multi", index.Digest, "v1", West), CancellationToken.None);

        var destination = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Replicated, destination.Outcome);
        Assert.Null(destination.Message);
        Assert.True(index.Manifests.Count > 2, "not an index of several images");
        foreach (var manifest in index.Manifests)
        {
            var signature = Assert.Single(await SignaturesAsync(h.Client(Source), "signed/multi", manifest.Digest));
            Assert.Contains(signature, destination.ReferrersPut);
            Assert.True(await h.Probe(West).HasVerifiedImageAsync("signed/multi", signature), $"the signature of {manifest.Digest} is not in us-west-2");
        }

        // Every manifest asked twice: before the one pause, during which the signing ended, and after it.
        Assert.Equal([TimeSpan.FromSeconds(1)], Pauses(clock));
        Assert.Equal(2 * index.Manifests.Count, h.Calls(Source, "DescribeImageSigningStatus"));
    }

    /// <summary>
    /// A signing that FAILED stores no signature, now or later: nothing is waited for, and the note names the profile
    /// and ECR's reason. A profile that completed beside it is not named.
    /// </summary>
    [Fact]
    public async Task A_signing_that_failed_is_not_waited_for_and_the_note_names_its_profile_and_reason()
    {
        var client = StatusClient(
            new ImageSigningStatus { SigningProfileArn = Profile, Status = SigningStatus.Failed, FailureCode = "AccessDenied", FailureReason = "not authorized to perform signer:SignPayload" },
            new ImageSigningStatus { SigningProfileArn = Profile + "-b", Status = SigningStatus.Complete });
        var clock = new WaitsElapseAtOnceClock();

        var note = await new SourceSignatureWait(TimeSpan.FromSeconds(30), clock).WaitAsync(client.Object, Reference, [Digest], CancellationToken.None);

        Assert.Equal($"ECR's managed signing of the source image failed (signing profile {Profile}: AccessDenied, not authorized to perform signer:SignPayload), so the copy holds no signature of that profile", note);
        Assert.Empty(clock.Waits);
        client.Verify(c => c.DescribeImageSigningStatusAsync(It.IsAny<DescribeImageSigningStatusRequest>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    /// <summary>
    /// Of an index's manifests, only those still signing are asked again after a pause: one whose signing completed at
    /// the first read costs that one read, however long another keeps the wait going (each read counts against ECR's
    /// read quota and the invocation's time).
    /// </summary>
    [Fact]
    public async Task A_manifest_whose_signing_completed_is_not_read_again_while_another_is_still_signing()
    {
        const string Done = "sha256:0000000000000000000000000000000000000000000000000000000000000002";
        var reads = new List<string>();
        var slowReads = 0;
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.DescribeImageSigningStatusAsync(It.IsAny<DescribeImageSigningStatusRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((DescribeImageSigningStatusRequest request, CancellationToken _) =>
            {
                var digest = request.ImageId!.ImageDigest!;
                reads.Add(digest);
                // Digest signs through three reads; Done had completed before the first.
                var status = digest == Digest && ++slowReads < 3 ? SigningStatus.InProgress : SigningStatus.Complete;
                return new DescribeImageSigningStatusResponse { SigningStatuses = [new ImageSigningStatus { SigningProfileArn = Profile, Status = status }] };
            });
        var clock = new WaitsElapseAtOnceClock();

        var note = await new SourceSignatureWait(TimeSpan.FromSeconds(30), clock).WaitAsync(client.Object, Reference, [Digest, Done], CancellationToken.None);

        Assert.Null(note);
        Assert.Equal([Digest, Done, Digest, Digest], reads);
        Assert.Equal([1, 2], clock.Waits.Select(w => w.TotalSeconds));
    }

    /// <summary>
    /// A read that never answers (each attempt may take the client's 100 s timeout, and it retries) is cancelled once the
    /// limit and 5 s have passed: the wait is bounded in time, not in reads.
    /// </summary>
    [Fact]
    public async Task A_status_read_that_never_answers_is_cancelled_at_the_limit_and_five_seconds()
    {
        // The call's token, kept to look at: a callback registered on it could be unregistered by the call's own
        // ending (its continuation runs inline when the token fires) before it ran.
        var called = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.DescribeImageSigningStatusAsync(It.IsAny<DescribeImageSigningStatusRequest>(), It.IsAny<CancellationToken>()))
            .Returns<DescribeImageSigningStatusRequest, CancellationToken>(async (_, token) =>
            {
                called.TrySetResult(token);
                await Task.Delay(Timeout.Infinite, token);
                return new DescribeImageSigningStatusResponse();
            });
        var time = new TimerRecordingTimeProvider(DateTimeOffset.UtcNow);
        var bound = TimeSpan.FromSeconds(30) + SourceSignatureWait.MaxPoll;

        var waiting = new SourceSignatureWait(TimeSpan.FromSeconds(30), time).WaitAsync(client.Object, Reference, [Digest], CancellationToken.None);
        var token = await called.Task.WaitAsync(Bound);
        await time.TimerAsync(due => due == bound).WaitAsync(Bound);
        time.Advance(bound - TimeSpan.FromMilliseconds(1));
        Assert.False(token.IsCancellationRequested);
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        var note = await waiting.WaitAsync(Bound);
        Assert.True(token.IsCancellationRequested);
        Assert.Equal("the source's managed signing status could not be read within 35 s (DescribeImageSigningStatus), so a signature ECR may still be making is left to its own push event and the reconciler", note);
    }

    /// <summary>The caller's cancellation (the invocation's deadline) ends a pause at once, and is thrown, not a note.</summary>
    [Fact]
    public async Task The_callers_cancellation_ends_a_pause_and_is_thrown()
    {
        var client = StatusClient(new ImageSigningStatus { SigningProfileArn = Profile, Status = SigningStatus.InProgress });
        var time = new TimerRecordingTimeProvider(DateTimeOffset.UtcNow);
        using var deadline = new CancellationTokenSource();

        var waiting = new SourceSignatureWait(TimeSpan.FromSeconds(30), time).WaitAsync(client.Object, Reference, [Digest], deadline.Token);
        await time.TimerAsync(due => due == TimeSpan.FromSeconds(1)).WaitAsync(Bound);
        await deadline.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Bound));
        client.Verify(c => c.DescribeImageSigningStatusAsync(It.IsAny<DescribeImageSigningStatusRequest>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    /// <summary>
    /// A destination registry that signs what it receives holds its own signature beside the source's copy. Neither the
    /// next copy nor the reconciler's scan counts that one as drift: they compare what the source holds, and never
    /// delete a referrer only a destination has.
    /// </summary>
    [Fact]
    public async Task A_destination_that_signs_too_keeps_its_own_signature_and_the_scan_finds_no_drift()
    {
        await using var h = await SigningAsync();
        await EcrManagedSigning.ConfigureAsync(h.Http, h.Server.BaseAddress, West, "arn:aws:signer:us-west-2:000000000000:/signing-profiles/replicas");
        var image = new SampleImageBuilder(seed: 77).Image(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "signed/app", image, "v1");
        h.Server.FinishSigning();
        var replicator = h.Replicator(Waiting(30), time: new WaitsElapseAtOnceClock());

        var first = await replicator.ReplicateAsync(Request("signed/app", image.Digest, "v1", West), CancellationToken.None);
        h.Server.FinishSigning();
        var again = await replicator.ReplicateAsync(Request("signed/app", image.Digest, "v1", West), CancellationToken.None);

        var sourceSignature = Assert.Single(await SignaturesAsync(h.Client(Source), "signed/app", image.Digest));
        Assert.Equal([sourceSignature], first.Destinations[0].ReferrersPut);
        var held = await SignaturesAsync(h.Client(West), "signed/app", image.Digest);
        Assert.Equal(2, held.Count);
        Assert.Contains(sourceSignature, held);
        Assert.Equal(ReplicationOutcome.UpToDate, again.Destinations[0].Outcome);
        Assert.Empty(again.Destinations[0].ReferrersPut);

        var scanner = new DriftScanner(h.Client(Source), new SourceCredentialsDestinationClients(h.Clients), [new ReplicationDestination(West)], RepositoryMapping.Identity, new DriftSelection());
        var run = new DriftScanRun(Source);
        var scan = await scanner.ScanAsync(Assert.Single(await scanner.RepositoriesAsync(CancellationToken.None)), run, null, CancellationToken.None);
        Assert.NotNull(scan);
        Assert.Empty(scanner.DeletedTags(scan));
        foreach (var digest in scan.Digests)
        {
            Assert.Empty((await scanner.DigestDriftAsync(scan, run, digest, null, CancellationToken.None)).Items);
        }
    }

    [Fact]
    public void The_pauses_grow_1_2_4_then_stay_at_5_seconds()
    {
        Assert.Equal([1, 2, 4, 5, 5, 5], Enumerable.Range(0, 6).Select(p => SourceSignatureWait.Pause(p).TotalSeconds));
        Assert.Equal(["a", "b"], SourceSignatureWait.InProgress([
            new ImageSigningStatus { SigningProfileArn = "a", Status = SigningStatus.InProgress },
            new ImageSigningStatus { SigningProfileArn = "c", Status = SigningStatus.Complete },
            new ImageSigningStatus { SigningProfileArn = "d", Status = SigningStatus.Failed, FailureCode = "AccessDenied" },
            new ImageSigningStatus { SigningProfileArn = "b", Status = SigningStatus.InProgress },
            new ImageSigningStatus { SigningProfileArn = "a", Status = SigningStatus.InProgress },
        ]));
    }

    [Theory]
    [InlineData(null, 0)]
    [InlineData("", 0)]
    [InlineData("0", 0)]
    [InlineData(" 45 ", 45)]
    [InlineData("300", 300)]
    public void The_setting_is_whole_seconds_from_0_to_300_and_unset_is_off(string? value, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), SignatureWaitSetting.Parse(value));

    [Theory]
    [InlineData("301")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("30s")]
    public void Any_other_setting_is_refused_naming_the_variable(string value)
    {
        var refused = Assert.Throws<SettingException>(() => SignatureWaitSetting.Parse(value));
        Assert.Equal("SIGNATURE_WAIT_SECONDS", refused.Setting);
        Assert.Equal($"must be a whole number of seconds from 0 (off) to 300, not '{value}'", refused.Problem);
    }

    private const string Digest = "sha256:0000000000000000000000000000000000000000000000000000000000000001";

    private static readonly ImageReference Reference = new("000000000000", Source, "signed/app", Digest, "v1");

    /// <summary>Bounds a wait that must end, so a regression fails the test instead of hanging it; never a timing.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);

    /// <summary>LocalEcr whose source registry signs every push to <c>signed/*</c>, its signing taking an hour unless ended.</summary>
    private static async Task<EngineHarness> SigningAsync(Func<HttpMessageHandler, HttpMessageHandler>? wrap = null)
    {
        var h = await StartAsync(wrap, configure: o => o.SigningDuration = TimeSpan.FromHours(1));
        await EcrManagedSigning.ConfigureAsync(h.Http, h.Server.BaseAddress, Source, Profile, "signed/*");
        h.Server.Calls.Reset();
        return h;
    }

    /// <summary>The waits of the signature wait: whole seconds, where the PutImage pacer's are milliseconds.</summary>
    private static List<TimeSpan> Pauses(WaitsElapseAtOnceClock clock) => [.. clock.Waits.Where(w => w >= TimeSpan.FromSeconds(1))];

    private static ReplicatorOptions Waiting(int seconds) => FastOptions with { SignatureWait = TimeSpan.FromSeconds(seconds) };

    /// <summary>The bodies of the DescribeImageSigningStatus requests the engine sent, in order.</summary>
    private static List<string> StatusReads(PassThroughRecorder recorder) =>
        [.. recorder.Requests.Where(r => r.Operation == "DescribeImageSigningStatus").Select(r => System.Text.Encoding.UTF8.GetString(r.Body))];

    /// <summary>A source that answers every status read with <paramref name="statuses"/>.</summary>
    private static Mock<IEcrClient> StatusClient(params ImageSigningStatus[] statuses)
    {
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.DescribeImageSigningStatusAsync(It.IsAny<DescribeImageSigningStatusRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => new DescribeImageSigningStatusResponse { SigningStatuses = [.. statuses] });
        return client;
    }

    private static async Task<List<string>> SignaturesAsync(IEcrClient client, string repository, string digest)
    {
        var page = await client.ListImageReferrersAsync(new ListImageReferrersRequest { RepositoryName = repository, SubjectId = new SubjectIdentifier { ImageDigest = digest } });
        return [.. (page.Referrers ?? []).Select(r => r.Digest!)];
    }
}
