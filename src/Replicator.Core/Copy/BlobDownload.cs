using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Replicator.Core.Ecr.Http;
using Replicator.Core.Errors;
using Replicator.Core.Manifests;
using Replicator.Core.Resilience;

namespace Replicator.Core.Copy;

/// <summary>
/// Reads one blob from presigned download URLs, hashing every byte as it arrives and refusing more bytes
/// than the descriptor declares (go-containerregistry's verifying reader, pkg/v1/remote). A cut or stalled
/// connection (no response headers, or no body bytes, for <see cref="BlobCopyOptions.ReadTimeout"/>), a 5xx or a
/// 429 resumes with a ranged GET from the next unread byte after the engine's backoff (its answer placed by its status
/// and Content-Range, not assumed to start there); a refused URL (400, 401,
/// 403: how S3 answers an expired presigned URL) is replaced by a fresh one at once; a 404 gets one fresh URL, then
/// fails. Every GET after the first counts against the resume budget. URLs are bearer
/// secrets: they never appear in an exception or a log line.
/// </summary>
internal sealed class BlobDownload : IDisposable
{
    private readonly HttpClient _http;
    private readonly Func<CancellationToken, Task<Uri>> _urlSource;
    private readonly string _digest;
    private readonly long _expectedSize;
    private readonly BlobCopyOptions _options;
    private readonly RetryBackoff _backoff;
    private readonly int _maxResumes;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private Uri? _url;
    private HttpResponseMessage? _response;
    private Stream? _body;
    private readonly byte[]? _inline;
    private int _resumes;
    private int _waits;
    private bool _refusedBefore;

    /// <param name="backoff">How a resume waits after a 5xx, a 429 or a failed connection: the engine's one backoff rule, on its clock (the stall timeouts run on it too).</param>
    public BlobDownload(HttpClient http, Func<CancellationToken, Task<Uri>> urlSource, string digest, long expectedSize, BlobCopyOptions options, RetryBackoff backoff, int maxResumes, byte[]? inline = null)
    {
        _backoff = backoff;
        _maxResumes = maxResumes;
        _inline = inline;
        _http = http;
        _urlSource = urlSource;
        _digest = digest;
        _expectedSize = expectedSize;
        _options = options;
    }

    /// <summary>Bytes read (and hashed) so far.</summary>
    public long Position { get; private set; }

    /// <summary>How many times the download was resumed (a GET after the first) after a cut, a stall, an error status or an expired URL.</summary>
    public int Resumes => _resumes;

    /// <summary>Fills <paramref name="buffer"/> as far as the blob allows; returns the count (0 at the end).</summary>
    public async ValueTask<int> FillAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await ReadAsync(buffer[filled..], cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    /// <summary>Checks that the whole blob arrived and hashes to its digest; throws a permanent-for-this-attempt error if not.</summary>
    public void Verify()
    {
        if (Position != _expectedSize)
        {
            throw new ReplicationException(
                ReplicationErrorCodes.SizeMismatch,
                $"layer {_digest}: downloaded {Position} bytes, the descriptor says {_expectedSize}; nothing was published",
                isTransient: true);
        }

        var actual = Digest.Sha256Prefix + Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (!string.Equals(actual, _digest, StringComparison.Ordinal))
        {
            throw new ReplicationException(
                ReplicationErrorCodes.DigestMismatch,
                $"layer {_digest}: downloaded bytes hash to {actual}; nothing was published",
                isTransient: true);
        }
    }

    public void Dispose()
    {
        CloseBody();
        _hash.Dispose();
    }

    private async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (!_digest.StartsWith(Digest.Sha256Prefix, StringComparison.Ordinal))
        {
            // ECR addresses layers by their sha256 digest only (CompleteLayerUpload's layerDigests, "the sha256 digest
            // of the image layer": docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CompleteLayerUpload.html), so
            // no destination could take this blob: refuse it before any request rather than fail its digest check.
            throw new ReplicationException(
                ReplicationErrorCodes.InvalidManifest,
                $"layer {_digest}: ECR stores layers by sha256 digest only; a blob named by another algorithm cannot be copied",
                isTransient: false);
        }

        if (Position == _expectedSize)
        {
            // Do not read past the declared end: a longer body is detected by asking for one byte more.
            return await ProbeForExtraBytesAsync(cancellationToken);
        }

        var limit = (int)Math.Min(buffer.Length, _expectedSize - Position);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var body = _body ?? await OpenAsync(cancellationToken);
                using var stall = StallTimeout(cancellationToken);
                var read = await body.ReadAsync(buffer[..limit], stall.Token);
                if (read == 0)
                {
                    throw new EndOfStreamException("the body ended early");
                }

                _hash.AppendData(buffer.Span[..read]);
                Position += read;
                return read;
            }
            catch (Exception ex) when (DownloadFailure.IsResumable(ex, cancellationToken))
            {
                CloseBody();
                await PrepareResumeAsync(ex, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Decides how the next GET goes after <paramref name="failure"/>, or throws when it should not happen: past the
    /// resume budget, or after a second 404. Every GET after the first counts as a resume, so one download makes at
    /// most 1 + MaxDownloadResumes GETs whatever the failures (docs/reliability.md, Retry budget).
    /// </summary>
    private async Task PrepareResumeAsync(Exception failure, CancellationToken cancellationToken)
    {
        var status = (failure as HttpRequestException)?.StatusCode;
        if (++_resumes > _maxResumes)
        {
            throw Failed($"after {_maxResumes} resumes (last: {DownloadFailure.Describe(failure)})");
        }

        switch ((int?)status)
        {
            case 400 or 401 or 403:
                // S3 answers an expired presigned URL with 400 ExpiredToken or 403 AccessDenied/"Request has expired"
                // (docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html): only a fresh URL can fix it, and at once.
                _url = null;
                return;
            case >= 400 and < 500 and not 408 and not 429:
                // 404 (or another refusal of the request itself): the same URL would be refused the same way. A fresh
                // URL is worth one try; refused again, the object is not there for this URL and more GETs would only
                // spend the budget in milliseconds.
                if (_refusedBefore)
                {
                    throw Failed($"{DownloadFailure.Describe(failure)} again with a fresh download URL; not resumed further");
                }

                _refusedBefore = true;
                _url = null;
                return;
            default:
                // 5xx, 408, 429 and failed, cut or stalled connections: the same URL works once the other side recovers.
                // S3's 503 SlowDown asks for a lower request rate, so 503 and 429 back off like throttling.
                await _backoff.WaitAsync(_waits++, throttled: status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests, cancellationToken);
                return;
        }
    }

    private ReplicationException Failed(string why) => new(
        ReplicationErrorCodes.DownloadFailed,
        $"layer {_digest}: download failed at byte {Position} of {_expectedSize} {why}",
        isTransient: true);

    private async ValueTask<int> ProbeForExtraBytesAsync(CancellationToken cancellationToken)
    {
        if (_body is null)
        {
            return 0;
        }

        var probe = new byte[1];
        int extra;
        try
        {
            using var stall = StallTimeout(cancellationToken);
            extra = await _body.ReadAsync(probe, stall.Token);
        }
        catch (Exception ex) when (DownloadFailure.IsResumable(ex, cancellationToken))
        {
            // All declared bytes arrived; a connection that fails after them cannot add more.
            extra = 0;
        }

        CloseBody();
        if (extra > 0)
        {
            throw new ReplicationException(
                ReplicationErrorCodes.SizeMismatch,
                $"layer {_digest}: the download is longer than the {_expectedSize} bytes its descriptor declares; refused",
                isTransient: false);
        }

        return 0;
    }

    private async Task<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        if (_inline is not null)
        {
            // The descriptor carried the bytes (OCI `data`): verified like any download, no request made.
            _body = new MemoryStream(_inline, (int)Math.Min(Position, _inline.Length), (int)Math.Max(0, _inline.Length - Position), writable: false);
            return _body;
        }

        _url ??= await _urlSource(cancellationToken);
        if (!_options.AllowInsecureDownloads && _url.Scheme != Uri.UriSchemeHttps)
        {
            throw new ReplicationException(
                ReplicationErrorCodes.InsecureDownloadUrl,
                $"layer {_digest}: ECR returned a download URL with scheme '{_url.Scheme}'; only https is accepted without an endpoint override",
                isTransient: false);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, _url);
        if (Position > 0)
        {
            request.Headers.Range = new RangeHeaderValue(Position, null);
        }

        // Until the headers, under the same stall timeout as a read: the download's HttpClient has no timeout of its
        // own (Timeout.InfiniteTimeSpan, so a large layer is never cut) and SocketsHttpHandler none for the response
        // headers, so a GET whose answer never comes would hold the blob and every destination it feeds until the
        // request's deadline. A stalled open is resumed like a stalled read, within the same resume budget.
        HttpResponseMessage response;
        using (var stall = StallTimeout(cancellationToken))
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token);
        }

        if (!response.IsSuccessStatusCode)
        {
            var status = response.StatusCode;
            response.Dispose();
            throw new HttpRequestException($"layer download answered HTTP {(int)status}", null, status);
        }

        _response = response;
        var body = _body = await response.Content.ReadAsStreamAsync(cancellationToken);
        if (Position > 0)
        {
            // The body's first byte: a 200 ignored the range and starts at 0; a 206 starts where its Content-Range says
            // (RFC 9110, 14.4 and 15.3.7), which need not be the byte asked for. Read as if it were, a body that starts
            // earlier would run past the declared end and be refused as a permanent SizeMismatch, dead-lettering an
            // intact image; one that starts later would leave a hole the digest check finds only after the whole blob.
            var first = response.StatusCode == HttpStatusCode.PartialContent
                ? response.Content.Headers.ContentRange?.From ?? Position
                : 0;
            if (first > Position)
            {
                throw new DownloadFailure.MisplacedRangeException($"the ranged GET was answered from byte {first}, not {Position}");
            }

            // Skip what we already have (a failure here closes both, as any resume does).
            await SkipAsync(body, Position - first, cancellationToken);
        }

        return body;
    }

    /// <summary>
    /// A token that fires when <see cref="BlobCopyOptions.ReadTimeout"/> passes on the engine's clock (the backoff's,
    /// so a test moves it with the resume waits), or when the caller's token does.
    /// </summary>
    private StallTimer StallTimeout(CancellationToken cancellationToken) => new(_options.ReadTimeout, _backoff.Time, cancellationToken);

    private async Task SkipAsync(Stream body, long count, CancellationToken cancellationToken)
    {
        var scratch = new byte[81920];
        while (count > 0)
        {
            // Each read under the stall timeout: skipping a large prefix can take longer than it, a silent server not.
            using var stall = StallTimeout(cancellationToken);
            var read = await body.ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, count)), stall.Token);
            if (read == 0)
            {
                throw new EndOfStreamException("the body ended while skipping to the resume offset");
            }

            count -= read;
        }
    }

    private void CloseBody()
    {
        _body?.Dispose();
        _body = null;
        _response?.Dispose();
        _response = null;
    }
}
