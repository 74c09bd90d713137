using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Copy;
using Replicator.Core.Errors;
using Replicator.Core.Resilience;
using Replicator.Core.Tests.Support;
using Replicator.Testing;

namespace Replicator.Core.Tests.Copy;

/// <summary>The verifying reader on canned HTTP answers: size cap, digest check, https rule, resumes and their waits, no URL in messages.</summary>
public sealed class BlobDownloadTests
{
    private const string SecretUrl = "https://bucket.s3.amazonaws.com/layer?X-Amz-Signature=deadbeef&X-Amz-Credential=AKIDSECRET";
    private static readonly byte[] Content = RandomNumberGenerator.GetBytes(10_000);
    private static readonly string ContentDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Content));
    private static readonly BlobCopyOptions Options = new() { ReadTimeout = TimeSpan.FromSeconds(5) };

    private static RetryBackoff NoWaits => new(new RetrySettings { BaseDelay = TimeSpan.Zero, ThrottlingBaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }, TimeProvider.System, () => 0);

    [Fact]
    public async Task The_exact_bytes_verify()
    {
        using var download = Download(Content, Content.Length);

        var filled = await download.FillAsync(new byte[20_000], CancellationToken.None);
        download.Verify();

        Assert.Equal(Content.Length, filled);
    }

    [Fact]
    public async Task A_body_longer_than_the_descriptor_is_cut_off_and_refused()
    {
        using var download = Download([.. Content, 1, 2, 3], Content.Length);

        var error = await Assert.ThrowsAsync<ReplicationException>(async () => await download.FillAsync(new byte[20_000], CancellationToken.None));

        Assert.Equal(ReplicationErrorCodes.SizeMismatch, error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.Equal(Content.Length, download.Position);
    }

    [Fact]
    public async Task Bytes_that_hash_to_another_digest_fail_verification_without_naming_the_url()
    {
        var tampered = (byte[])Content.Clone();
        tampered[5] ^= 0xff;
        using var download = Download(tampered, Content.Length);

        await download.FillAsync(new byte[20_000], CancellationToken.None);
        var error = Assert.Throws<ReplicationException>(download.Verify);

        Assert.Equal(ReplicationErrorCodes.DigestMismatch, error.ErrorCode);
        Assert.DoesNotContain("X-Amz", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("bucket", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_http_url_is_refused_unless_an_endpoint_override_allows_it()
    {
        using var handler = new CannedHandler(Content);
        using var http = new HttpClient(handler);
        using var download = new BlobDownload(http, _ => Task.FromResult(new Uri("http://bucket.example/layer?X-Amz-Signature=x")), ContentDigest, Content.Length, Options, NoWaits, maxResumes: 5);

        var error = await Assert.ThrowsAsync<ReplicationException>(async () => await download.FillAsync(new byte[100], CancellationToken.None));

        Assert.Equal(ReplicationErrorCodes.InsecureDownloadUrl, error.ErrorCode);
        Assert.DoesNotContain("X-Amz", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, handler.Requests);
    }

    [Fact]
    public async Task A_server_error_on_every_attempt_gives_up_after_the_resume_budget()
    {
        using var handler = new CannedHandler(Content) { Status = HttpStatusCode.InternalServerError };
        using var http = new HttpClient(handler);
        using var download = new BlobDownload(http, _ => Task.FromResult(new Uri(SecretUrl)), ContentDigest, Content.Length, Options, NoWaits, maxResumes: 2);

        var error = await Assert.ThrowsAsync<ReplicationException>(async () => await download.FillAsync(new byte[100], CancellationToken.None));

        Assert.Equal(ReplicationErrorCodes.DownloadFailed, error.ErrorCode);
        Assert.True(error.IsTransient);
        Assert.Equal(3, handler.Requests);
        Assert.DoesNotContain("X-Amz", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, "after 2 resumes (last: HTTP 503)")]
    [InlineData(HttpStatusCode.InternalServerError, "after 2 resumes (last: HTTP 500)")]
    [InlineData(HttpStatusCode.Forbidden, "after 2 resumes (last: HTTP 403)")]
    public async Task The_final_error_names_the_last_status(HttpStatusCode status, string expected)
    {
        using var handler = new CannedHandler(Content) { Status = status };
        using var http = new HttpClient(handler);
        using var download = new BlobDownload(http, _ => Task.FromResult(new Uri(SecretUrl)), ContentDigest, Content.Length, Options, NoWaits, maxResumes: 2);

        var error = await Assert.ThrowsAsync<ReplicationException>(async () => await download.FillAsync(new byte[100], CancellationToken.None));

        Assert.Equal(ReplicationErrorCodes.DownloadFailed, error.ErrorCode);
        Assert.EndsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_final_error_names_the_connection_failure_and_never_the_host()
    {
        using var handler = new CannedHandler(Content)
        {
            Failure = () => new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (bucket.s3.amazonaws.com:443)", new SocketException((int)SocketError.ConnectionRefused)),
        };
        using var http = new HttpClient(handler);
        using var download = new BlobDownload(http, _ => Task.FromResult(new Uri(SecretUrl)), ContentDigest, Content.Length, Options, NoWaits, maxResumes: 1);

        var error = await Assert.ThrowsAsync<ReplicationException>(async () => await download.FillAsync(new byte[100], CancellationToken.None));

        Assert.EndsWith("after 1 resumes (last: connection failed: ConnectionRefused)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("bucket", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// S3's 503 SlowDown, and 429 Too Many Requests, ask for a lower request rate: the resume waits the throttling backoff
    /// (its 1 s base), not the 200 ms one of a server error, or a throttled source is asked again five times sooner.
    /// </summary>
    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task A_503_or_429_waits_the_throttling_backoff_on_the_injected_clock_before_the_resume(HttpStatusCode status)
    {
        var clock = new TimerRecordingTimeProvider();
        var backoff = new RetryBackoff(new RetrySettings { BaseDelay = TimeSpan.FromMilliseconds(200), ThrottlingBaseDelay = TimeSpan.FromSeconds(1) }, clock, () => 0.5);
        using var handler = new CannedHandler(Content) { Statuses = new([status]) };
        using var http = new HttpClient(handler);
        using var download = new BlobDownload(http, _ => Task.FromResult(new Uri(SecretUrl)), ContentDigest, Content.Length, Options, backoff, maxResumes: 5);

        var fill = download.FillAsync(new byte[20_000], CancellationToken.None).AsTask();

        // The GET's stall timeout runs on the same clock: the backoff is the timer of another length.
        var wait = await clock.TimerAsync(due => due != Options.ReadTimeout).WaitAsync(TimeSpan.FromSeconds(30));

        // Full jitter over the 1 s throttling base: 1,000 ms × (0.1 + 0.9 × 0.5); over the 200 ms base it would be 110 ms.
        Assert.Equal(TimeSpan.FromMilliseconds(550), wait);
        Assert.Equal(1, handler.Requests);
        Assert.False(fill.IsCompleted);
        clock.Advance(wait);
        Assert.Equal(Content.Length, await fill);
        download.Verify();
        Assert.Equal(2, handler.Requests);
        Assert.Equal(1, download.Resumes);
    }

    /// <summary>
    /// Resumes back off as the engine's calls do: exponentially, each wait twice the one before ("Exponential Backoff And
    /// Jitter", AWS Architecture Blog), so a source that keeps failing is given more room each time, not hammered at the
    /// first wait's pace until the budget is spent.
    /// </summary>
    [Fact]
    public async Task Each_resume_after_a_server_error_waits_twice_as_long_as_the_one_before()
    {
        var clock = new TimerRecordingTimeProvider();
        var backoff = new RetryBackoff(new RetrySettings { BaseDelay = TimeSpan.FromMilliseconds(200) }, clock, () => 0.5);
        using var handler = new CannedHandler(Content) { Statuses = new([HttpStatusCode.InternalServerError, HttpStatusCode.BadGateway]) };
        using var http = new HttpClient(handler);
        using var download = new BlobDownload(http, _ => Task.FromResult(new Uri(SecretUrl)), ContentDigest, Content.Length, Options, backoff, maxResumes: 5);

        var fill = download.FillAsync(new byte[20_000], CancellationToken.None).AsTask();

        // 200 ms × (0.1 + 0.9 × 0.5), then twice that; the GET's stall timeout is the timer of another length.
        var first = await clock.TimerAsync(due => due != Options.ReadTimeout).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromMilliseconds(110), first);
        var second = clock.TimerAsync(due => due != Options.ReadTimeout && due != first);
        clock.Advance(first);
        Assert.Equal(TimeSpan.FromMilliseconds(220), await second.WaitAsync(TimeSpan.FromSeconds(30)));
        clock.Advance(TimeSpan.FromMilliseconds(220));

        Assert.Equal(Content.Length, await fill.WaitAsync(TimeSpan.FromSeconds(30)));
        download.Verify();
        Assert.Equal(3, handler.Requests);
        Assert.Equal(2, download.Resumes);
    }

    /// <summary>
    /// S3 answers an expired presigned URL with 400 ExpiredToken: only a fresh URL fixes it, however often it happens
    /// within the resume budget (a slow download can outlive more than one URL). It is not a refusal of the object itself,
    /// which a fresh URL gets one try against (a 404 twice stops the download). 401 and 403 refuse the URL's
    /// authorization, not the object (S3 answers an expired presigned URL with 403 AccessDenied,
    /// docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html), and are answered the same way.
    /// </summary>
    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task A_refusal_of_the_url_on_a_second_url_is_answered_with_a_third_url_too(HttpStatusCode status)
    {
        using var handler = new CannedHandler(Content) { Statuses = new([status, status]) };
        using var http = new HttpClient(handler);
        using var download = new BlobDownload(http, NumberedUrls(), ContentDigest, Content.Length, Options, NoWaits, maxResumes: 5);

        var filled = await download.FillAsync(new byte[20_000], CancellationToken.None);
        download.Verify();

        Assert.Equal(Content.Length, filled);
        Assert.Equal(["&n=1", "&n=2", "&n=3"], handler.Urls.Select(u => u[u.LastIndexOf('&')..]));
    }

    [Fact]
    public async Task A_400_is_answered_with_a_fresh_url_at_once()
    {
        using var handler = new CannedHandler(Content) { Statuses = new([HttpStatusCode.BadRequest]) };
        using var http = new HttpClient(handler);
        using var download = new BlobDownload(http, NumberedUrls(), ContentDigest, Content.Length, Options, new RetryBackoff(new RetrySettings(), new FakeTimeProvider(), () => 0.5), maxResumes: 5);

        // The clock never moves: a wait before the second GET would never end (bounded here so the test fails instead).
        var filled = await download.FillAsync(new byte[20_000], CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        download.Verify();

        Assert.Equal(Content.Length, filled);
        Assert.Equal(["&n=1", "&n=2"], handler.Urls.Select(u => u[u.LastIndexOf('&')..]));
    }

    [Fact]
    public async Task Refused_urls_are_replaced_within_the_resume_budget()
    {
        var (error, handler) = await FailWith(HttpStatusCode.Forbidden, maxResumes: 2);

        Assert.Equal(ReplicationErrorCodes.DownloadFailed, error.ErrorCode);
        Assert.Equal(3, handler.Requests);
        Assert.Equal(3, handler.Urls.Distinct().Count());
    }

    /// <summary>
    /// 408 Request Timeout and 429 Too Many Requests say "not now", not "not this request" (RFC 9110 15.5.9, RFC 6585 4):
    /// they are resumed on the same URL after the backoff like a 5xx, however often they come within the budget, and
    /// never spend the one fresh URL a 404 gets.
    /// </summary>
    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task A_408_or_429_twice_is_resumed_on_the_same_url(HttpStatusCode status)
    {
        using var handler = new CannedHandler(Content) { Statuses = new([status, status]) };
        using var http = new HttpClient(handler);
        using var download = new BlobDownload(http, NumberedUrls(), ContentDigest, Content.Length, Options, NoWaits, maxResumes: 5);

        var filled = await download.FillAsync(new byte[20_000], CancellationToken.None);
        download.Verify();

        Assert.Equal(Content.Length, filled);
        Assert.Equal(["&n=1", "&n=1", "&n=1"], handler.Urls.Select(u => u[u.LastIndexOf('&')..]));
        Assert.Equal(2, download.Resumes);
    }

    [Fact]
    public async Task A_404_twice_stops_early_without_spending_the_rest_of_the_budget()
    {
        var (error, handler) = await FailWith(HttpStatusCode.NotFound, maxResumes: 5);

        Assert.Equal(ReplicationErrorCodes.DownloadFailed, error.ErrorCode);
        Assert.True(error.IsTransient);
        Assert.Contains("HTTP 404 again with a fresh download URL", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, handler.Requests);
        Assert.Equal(2, handler.Urls.Distinct().Count());
        Assert.DoesNotContain("X-Amz", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sha512_blob_is_refused_as_permanent_before_any_request()
    {
        using var handler = new CannedHandler(Content);
        using var http = new HttpClient(handler);
        var digest = "sha512:" + Convert.ToHexStringLower(SHA512.HashData(Content));
        using var download = new BlobDownload(http, _ => Task.FromResult(new Uri(SecretUrl)), digest, Content.Length, Options, NoWaits, maxResumes: 5);

        var error = await Assert.ThrowsAsync<ReplicationException>(async () => await download.FillAsync(new byte[20_000], CancellationToken.None));

        Assert.Equal(ReplicationErrorCodes.InvalidManifest, error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.Contains("sha256", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, handler.Requests);
    }

    [Fact]
    public async Task Inline_data_needs_no_request_and_is_still_verified()
    {
        using var handler = new CannedHandler(Content);
        using var http = new HttpClient(handler);
        using var download = new BlobDownload(http, _ => throw new InvalidOperationException("no URL needed"), ContentDigest, Content.Length, Options, NoWaits, maxResumes: 5, Content);

        await download.FillAsync(new byte[20_000], CancellationToken.None);
        download.Verify();

        Assert.Equal(0, handler.Requests);
    }

    [Fact]
    public async Task A_get_whose_response_headers_never_come_is_resumed_after_the_read_timeout_on_the_injected_clock()
    {
        var clock = new FakeTimeProvider();
        var backoff = new RetryBackoff(new RetrySettings { BaseDelay = TimeSpan.Zero, ThrottlingBaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }, clock, () => 0);
        using var handler = new ScriptedHandler(
            (_, cancellationToken) => NeverAsync<HttpResponseMessage>(cancellationToken),
            (_, _) => Task.FromResult(Answer(HttpStatusCode.OK, new MemoryStream(Content))));
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var download = new BlobDownload(http, _ => Task.FromResult(new Uri(SecretUrl)), ContentDigest, Content.Length, Options, backoff, maxResumes: 5);

        var fill = download.FillAsync(new byte[20_000], CancellationToken.None).AsTask();
        await handler.Received(1).WaitAsync(TimeSpan.FromSeconds(30));

        // The first GET waits for its headers (the HttpClient has no timeout); only the stall timeout on the
        // download's clock can end the wait.
        Assert.False(fill.IsCompleted);
        clock.Advance(Options.ReadTimeout);
        Assert.Equal(Content.Length, await fill.WaitAsync(TimeSpan.FromSeconds(30)));
        download.Verify();

        Assert.Equal(2, handler.Requests);
        Assert.Equal(1, download.Resumes);
    }

    [Fact]
    public async Task A_skip_to_the_resume_offset_that_stalls_is_resumed_after_the_read_timeout()
    {
        // The first body is cut after 4,000 bytes; the second ignores the range (200, from byte 0) and then goes silent
        // while the download skips what it already has; the third is whole.
        var clock = new FakeTimeProvider();
        var backoff = new RetryBackoff(new RetrySettings { BaseDelay = TimeSpan.Zero, ThrottlingBaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }, clock, () => 0);
        var silent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = new ScriptedHandler(
            CutAfter4000,
            (_, _) => Task.FromResult(Answer(HttpStatusCode.OK, new ScriptedStream(Content, 0, (_, cancellationToken) =>
            {
                silent.TrySetResult();
                return new ValueTask<int>(NeverAsync<int>(cancellationToken));
            }))),
            (_, _) => Task.FromResult(Answer(HttpStatusCode.OK, new MemoryStream(Content))));
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var download = new BlobDownload(http, _ => Task.FromResult(new Uri(SecretUrl)), ContentDigest, Content.Length, Options, backoff, maxResumes: 5);

        var fill = download.FillAsync(new byte[20_000], CancellationToken.None).AsTask();
        await silent.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(fill.IsCompleted);
        clock.Advance(Options.ReadTimeout);
        Assert.Equal(Content.Length, await fill.WaitAsync(TimeSpan.FromSeconds(30)));
        download.Verify();

        Assert.Equal(3, handler.Requests);
        Assert.Equal(2, download.Resumes);
    }

    [Fact]
    public async Task A_206_whose_content_range_starts_before_the_resume_offset_is_realigned_not_refused_as_too_long()
    {
        // The first body is cut after 4,000 bytes; the ranged GET (bytes=4000-) is answered 206 but from byte 0, as its
        // Content-Range says (an intermediary that ignores the start). Read as if it started at 4,000, the blob ran 4,000
        // bytes past its declared end and was refused as a permanent SizeMismatch, dead-lettering an intact image.
        using var handler = new ScriptedHandler(
            CutAfter4000,
            (request, _) => Task.FromResult(Partial(request, from: 0)));

        var (filled, _) = await DownloadWholeAsync(handler);

        Assert.Equal(Content.Length, filled);
        Assert.Equal(2, handler.Requests);
    }

    [Fact]
    public async Task A_206_whose_content_range_starts_after_the_resume_offset_is_resumed_again_within_the_budget()
    {
        // Bytes 4,000..5,999 would be missing: the answer cannot be used, and another GET (counted) asks again.
        using var handler = new ScriptedHandler(
            CutAfter4000,
            (request, _) => Task.FromResult(Partial(request, from: 6_000)),
            (request, _) => Task.FromResult(Partial(request, from: 4_000)));

        var (filled, resumes) = await DownloadWholeAsync(handler);

        Assert.Equal(Content.Length, filled);
        Assert.Equal(3, handler.Requests);
        Assert.Equal(2, resumes);
    }

    [Fact]
    public async Task A_206_that_always_starts_after_the_resume_offset_fails_transient_naming_both_offsets_and_never_the_url()
    {
        using var handler = new ScriptedHandler(
            [CutAfter4000,
             .. Enumerable.Repeat<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>>((request, _) => Task.FromResult(Partial(request, from: 6_000)), 2)]);
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var download = new BlobDownload(http, _ => Task.FromResult(new Uri(SecretUrl)), ContentDigest, Content.Length, Options, NoWaits, maxResumes: 2);

        var error = await Assert.ThrowsAsync<ReplicationException>(async () => await download.FillAsync(new byte[20_000], CancellationToken.None));

        Assert.Equal(ReplicationErrorCodes.DownloadFailed, error.ErrorCode);
        Assert.True(error.IsTransient);
        Assert.Contains("6000", error.Message, StringComparison.Ordinal);
        Assert.Contains("4000", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("bucket", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Amz", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The request's own cancellation (its deadline) while a read waits is not a stalled connection: it ends the
    /// download as cancelled, with its resume budget spent too, never as a transient DownloadFailed, so that a request
    /// that joined this copy takes it over (InFlightCopies) instead of failing its destination with this one's error.
    /// </summary>
    [Fact]
    public async Task The_requests_cancellation_during_a_read_ends_the_download_as_cancelled_not_as_a_spent_budget()
    {
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = new ScriptedHandler((_, _) => Task.FromResult(Answer(HttpStatusCode.OK, new ScriptedStream(Content, 0, (_, cancellationToken) =>
        {
            reading.TrySetResult();
            return new ValueTask<int>(NeverAsync<int>(cancellationToken));
        }))));
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var stalls = new RetryBackoff(new RetrySettings { BaseDelay = TimeSpan.Zero, ThrottlingBaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }, new FakeTimeProvider(), () => 0);
        using var download = new BlobDownload(http, _ => Task.FromResult(new Uri(SecretUrl)), ContentDigest, Content.Length, Options, stalls, maxResumes: 0);
        using var request = new CancellationTokenSource();

        var fill = download.FillAsync(new byte[20_000], request.Token).AsTask();
        await reading.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await request.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fill.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, handler.Requests);
    }

    /// <summary>
    /// A body that ends cleanly before the declared size (a proxy or S3 closing the connection at a message boundary,
    /// no reset) is a cut like any other: resumed with a Range from the first missing byte. Taken as the end, the blob
    /// would stop short and fail its size check after every destination had been sent its parts.
    /// </summary>
    [Fact]
    public async Task A_body_that_ends_cleanly_before_the_declared_size_is_resumed_from_the_first_missing_byte()
    {
        using var handler = new ScriptedHandler(
            (_, _) => Task.FromResult(Answer(HttpStatusCode.OK, new MemoryStream(Content, 0, 4_000))),
            (request, _) => Task.FromResult(Partial(request, from: 4_000)));

        var (filled, resumes) = await DownloadWholeAsync(handler);

        Assert.Equal(Content.Length, filled);
        Assert.Equal(2, handler.Requests);
        Assert.Equal(1, resumes);
    }

    /// <summary>
    /// A download that gives up on bodies that keep ending early says so ("the body ended early") and where: the
    /// operator's only clue to a proxy or network that closes long responses, and transient so the image is redelivered.
    /// </summary>
    [Fact]
    public async Task Bodies_that_keep_ending_early_give_up_transient_naming_the_early_end_and_the_byte_reached()
    {
        using var handler = new ScriptedHandler([.. Enumerable.Repeat<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>>(EndsAfter1000, 3)]);
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var download = new BlobDownload(http, _ => Task.FromResult(new Uri(SecretUrl)), ContentDigest, Content.Length, Options, NoWaits, maxResumes: 2);

        var error = await Assert.ThrowsAsync<ReplicationException>(async () => await download.FillAsync(new byte[20_000], CancellationToken.None));

        Assert.Equal(ReplicationErrorCodes.DownloadFailed, error.ErrorCode);
        Assert.True(error.IsTransient);
        Assert.Contains("at byte 3000 of 10000", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("after 2 resumes (last: the body ended early)", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, handler.Requests);
    }

    /// <summary>
    /// Every declared byte arrived and the connection fails on the probe for more (a reset right after the last byte):
    /// nothing more can come, so the download is complete. Resumed or failed instead, an intact blob would cost a
    /// GET, or the copy itself once the budget is spent.
    /// </summary>
    [Fact]
    public async Task A_connection_that_fails_after_the_last_declared_byte_leaves_the_download_complete()
    {
        using var handler = new ScriptedHandler(
            (_, _) => Task.FromResult(Answer(HttpStatusCode.OK, new ScriptedStream(Content, Content.Length, (_, _) => throw new IOException("connection reset")))));

        var (filled, resumes) = await DownloadWholeAsync(handler);

        Assert.Equal(Content.Length, filled);
        Assert.Equal(1, handler.Requests);
        Assert.Equal(0, resumes);
    }

    /// <summary>
    /// A connection failure of no known kind (HttpRequestError.Unknown) and with no socket error inside is named by its
    /// exception type: "Unknown" tells the operator nothing, and the exception's message is never used, as it can carry
    /// the URL's host.
    /// </summary>
    [Fact]
    public async Task A_connection_failure_of_unknown_kind_is_named_by_its_type_never_its_message()
    {
        using var handler = new CannedHandler(Content)
        {
            Failure = () => new HttpRequestException("The response ended prematurely (bucket.s3.amazonaws.com)"),
        };
        using var http = new HttpClient(handler);
        using var download = new BlobDownload(http, _ => Task.FromResult(new Uri(SecretUrl)), ContentDigest, Content.Length, Options, NoWaits, maxResumes: 1);

        var error = await Assert.ThrowsAsync<ReplicationException>(async () => await download.FillAsync(new byte[100], CancellationToken.None));

        Assert.EndsWith("after 1 resumes (last: connection failed: HttpRequestException)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("bucket", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Downloads <see cref="Content"/> whole through <paramref name="handler"/> (5 resumes allowed) and verifies its digest.</summary>
    private static async Task<(int Filled, int Resumes)> DownloadWholeAsync(HttpMessageHandler handler)
    {
        using var http = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        using var download = new BlobDownload(http, _ => Task.FromResult(new Uri(SecretUrl)), ContentDigest, Content.Length, Options, NoWaits, maxResumes: 5);
        var filled = await download.FillAsync(new byte[20_000], CancellationToken.None);
        download.Verify();
        return (filled, download.Resumes);
    }

    /// <summary>A first answer whose body is cut (connection reset) after its first 4,000 bytes.</summary>
    private static Task<HttpResponseMessage> CutAfter4000(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(Answer(HttpStatusCode.OK, new ScriptedStream(Content, 4_000, (_, _) => throw new IOException("connection reset"))));

    /// <summary>Serves the 1,000 bytes from the requested Range's start (a 200 from 0 without one), then ends the body cleanly.</summary>
    private static Task<HttpResponseMessage> EndsAfter1000(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var from = request.Headers.Range?.Ranges.Single().From;
        var answer = Answer(from is null ? HttpStatusCode.OK : HttpStatusCode.PartialContent, new MemoryStream(Content, (int)(from ?? 0), 1_000));
        if (from is { } start)
        {
            answer.Content.Headers.ContentRange = new System.Net.Http.Headers.ContentRangeHeaderValue(start, Content.Length - 1, Content.Length);
        }

        return Task.FromResult(answer);
    }

    /// <summary>A 206 serving <see cref="Content"/> from <paramref name="from"/>, said so in its Content-Range, whatever the request's Range.</summary>
    private static HttpResponseMessage Partial(HttpRequestMessage request, long from)
    {
        Assert.Equal(4_000, request.Headers.Range?.Ranges.Single().From);
        var answer = Answer(HttpStatusCode.PartialContent, new MemoryStream(Content, (int)from, Content.Length - (int)from));
        answer.Content.Headers.ContentRange = new System.Net.Http.Headers.ContentRangeHeaderValue(from, Content.Length - 1, Content.Length);
        return answer;
    }

    private static async Task<T> NeverAsync<T>(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        throw new InvalidOperationException("unreachable");
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, Stream body) => new(status) { Content = new StreamContent(body) };

    /// <summary>A URL source that hands out a new URL each time (numbered, so a test can tell them apart).</summary>
    private static Func<CancellationToken, Task<Uri>> NumberedUrls()
    {
        var issued = 0;
        return _ => Task.FromResult(new Uri($"{SecretUrl}&n={++issued}"));
    }

    /// <summary>Downloads from a server that always answers <paramref name="status"/>, with fresh URLs on demand.</summary>
    private static async Task<(ReplicationException Error, CannedHandler Handler)> FailWith(HttpStatusCode status, int maxResumes)
    {
        var handler = new CannedHandler(Content) { Status = status };
        using var http = new HttpClient(handler);
        using var download = new BlobDownload(http, NumberedUrls(), ContentDigest, Content.Length, Options, NoWaits, maxResumes);
        var error = await Assert.ThrowsAsync<ReplicationException>(async () => await download.FillAsync(new byte[100], CancellationToken.None));
        return (error, handler);
    }

    private static BlobDownload Download(byte[] body, long declaredSize)
    {
        var http = new HttpClient(new CannedHandler(body));
        return new BlobDownload(http, _ => Task.FromResult(new Uri(SecretUrl)), ContentDigest, declaredSize, Options, NoWaits, maxResumes: 5);
    }

    private sealed class CannedHandler(byte[] body) : HttpMessageHandler
    {
        /// <summary>The answer once <see cref="Statuses"/> is empty.</summary>
        public HttpStatusCode Status { get; init; } = HttpStatusCode.OK;

        /// <summary>Answers given first, in order.</summary>
        public Queue<HttpStatusCode> Statuses { get; init; } = new();

        /// <summary>When set, every request fails with this instead of an answer.</summary>
        public Func<Exception>? Failure { get; init; }

        public int Requests { get; private set; }

        public List<string> Urls { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            Urls.Add(request.RequestUri!.ToString());
            if (Failure is not null)
            {
                throw Failure();
            }

            var status = Statuses.TryDequeue(out var next) ? next : Status;
            return Task.FromResult(new HttpResponseMessage(status) { Content = new ByteArrayContent(body) });
        }
    }

    /// <summary>Answers each request with the next of its scripted answers, and tells when requests have arrived.</summary>
    private sealed class ScriptedHandler(params Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>[] answers) : HttpMessageHandler
    {
        private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        /// <summary>Completes once <paramref name="count"/> requests have arrived.</summary>
        public Task Received(int count)
        {
            lock (_waiters)
            {
                if (_requests >= count)
                {
                    return Task.CompletedTask;
                }

                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, reached));
                return reached.Task;
            }
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            int index;
            lock (_waiters)
            {
                index = _requests++;
                foreach (var waiter in _waiters.Where(w => w.Count <= _requests).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Reached.SetResult();
                }
            }

            return answers[index](request, cancellationToken);
        }
    }

    /// <summary>Serves <paramref name="content"/> up to <paramref name="served"/> bytes, then does what <paramref name="then"/> says.</summary>
    private sealed class ScriptedStream(byte[] content, int served, Func<Memory<byte>, CancellationToken, ValueTask<int>> then) : ReadOnlyStream
    {
        private int _position;

        public override long Position => _position;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= served)
            {
                return then(buffer, cancellationToken);
            }

            var count = Math.Min(buffer.Length, served - _position);
            content.AsSpan(_position, count).CopyTo(buffer.Span);
            _position += count;
            return new ValueTask<int>(count);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
