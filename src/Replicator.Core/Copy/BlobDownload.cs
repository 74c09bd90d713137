using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Replicator.Core.Errors;

namespace Replicator.Core.Copy;

/// <summary>
/// Reads one blob from presigned download URLs, hashing every byte as it arrives and refusing more bytes
/// than the descriptor declares (go-containerregistry's verifying reader, pkg/v1/remote). A cut or stalled
/// connection resumes with a ranged GET from the next unread byte; an expired URL (403) is replaced by a
/// fresh one. URLs are bearer secrets: they never appear in an exception or a log line.
/// </summary>
internal sealed class BlobDownload : IDisposable
{
    private readonly HttpClient _http;
    private readonly Func<CancellationToken, Task<Uri>> _urlSource;
    private readonly string _digest;
    private readonly long _expectedSize;
    private readonly BlobCopyOptions _options;
    private readonly int _maxResumes;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private Uri? _url;
    private HttpResponseMessage? _response;
    private Stream? _body;
    private readonly byte[]? _inline;
    private int _resumes;

    public BlobDownload(HttpClient http, Func<CancellationToken, Task<Uri>> urlSource, string digest, long expectedSize, BlobCopyOptions options, int maxResumes, byte[]? inline = null)
    {
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

    /// <summary>How many times the download was resumed after a cut, a stall or an expired URL.</summary>
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

        var actual = "sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset());
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
                using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                stall.CancelAfter(_options.ReadTimeout);
                var read = await body.ReadAsync(buffer[..limit], stall.Token);
                if (read == 0)
                {
                    throw new EndOfStreamException("the body ended early");
                }

                _hash.AppendData(buffer.Span[..read]);
                Position += read;
                return read;
            }
            catch (Exception ex) when (IsResumable(ex, cancellationToken))
            {
                CloseBody();
                if (++_resumes > _maxResumes)
                {
                    throw new ReplicationException(
                        ReplicationErrorCodes.DownloadFailed,
                        $"layer {_digest}: download failed at byte {Position} of {_expectedSize} after {_maxResumes} resumes ({ex.GetType().Name})",
                        isTransient: true);
                }
            }
        }
    }

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
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            stall.CancelAfter(_options.ReadTimeout);
            extra = await _body.ReadAsync(probe, stall.Token);
        }
        catch (Exception ex) when (IsResumable(ex, cancellationToken))
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

    private static bool IsResumable(Exception ex, CancellationToken cancellationToken) =>
        ex is IOException or HttpRequestException or EndOfStreamException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private async Task<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        if (_inline is not null)
        {
            // The descriptor carried the bytes (OCI `data`): verified like any download, no request made.
            _body = new MemoryStream(_inline, (int)Math.Min(Position, _inline.Length), (int)Math.Max(0, _inline.Length - Position), writable: false);
            return _body;
        }

        for (var refreshed = false; ; refreshed = true)
        {
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

            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized && !refreshed)
            {
                // Presigned URLs expire (S3 answers 403); ask ECR for a new one once per open.
                response.Dispose();
                _url = null;
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                response.Dispose();
                throw new HttpRequestException($"layer download answered HTTP {status}", null, (HttpStatusCode)status);
            }

            var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            if (Position > 0 && response.StatusCode != HttpStatusCode.PartialContent)
            {
                // The server ignored the range: skip what we already have.
                await SkipAsync(body, Position, cancellationToken);
            }

            _response = response;
            _body = body;
            return body;
        }
    }

    private static async Task SkipAsync(Stream body, long count, CancellationToken cancellationToken)
    {
        var scratch = new byte[81920];
        while (count > 0)
        {
            var read = await body.ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, count)), cancellationToken);
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
