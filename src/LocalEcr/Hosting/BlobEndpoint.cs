using System.Buffers;
using System.Globalization;
using LocalEcr.Faults;
using Microsoft.AspNetCore.Http;

namespace LocalEcr.Hosting;

/// <summary>
/// GET /_blobs/{token}: the download URL of GetDownloadUrlForLayer. Like an S3 presigned URL it needs
/// no signature (the token is the secret), expires, and honours Range. Streams from disk.
/// </summary>
internal static class BlobEndpoint
{
    public const string Prefix = "/_blobs/";

    public static async Task HandleAsync(HttpContext context, ServerContext server)
    {
        var response = context.Response;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            // ECR's URL is an S3 presigned GET, and the method is part of what SigV4 signs: S3 refuses a HEAD with it
            // (403 SignatureDoesNotMatch; a HEAD answer has no body). A probe that works here would fail on AWS.
            response.StatusCode = 403;
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            response.StatusCode = 405;
            return;
        }

        var token = context.Request.Path.Value![Prefix.Length..];
        if (server.Tokens.Redeem(token) is not { } grant)
        {
            await DenyAsync(context, "Request has expired");
            return;
        }

        // Opened before anything else is read of it: the length and every byte served then come from this one file, and
        // a blob removed from the data directory after this (LocalEcr never removes one; an operator cleaning a kept
        // data directory may) is still served whole from the open file (POSIX keeps an unlinked file's data while it is
        // open, https://pubs.opengroup.org/onlinepubs/9799919799/functions/unlink.html). Checked apart, a blob removed
        // between the check and the open answered a bare 500.
        FileStream file;
        try
        {
            file = server.Blobs.OpenRead(grant.Digest);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            // A live URL to an object that is gone (or that LocalEcr may not read, a folder in its place included): S3
            // answers 404 NoSuchKey only to a signer allowed s3:ListBucket on the bucket, else 403 AccessDenied ("Access
            // Denied"), https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (Permissions). ECR's layer
            // bucket and the role that signs its URLs are not ours to know, so the answer a client cannot tell from a
            // refusal is the one served.
            await DenyAsync(context, "Access Denied");
            return;
        }

        await using var _ = file;
        if (server.Options.BeforeBlobRead is { } pause)
        {
            await pause();
        }

        server.Calls.Record(grant.Region, CallLog.DownloadLayer);
        var length = file.Length;
        if (!ByteRange.TryResolve(context.Request.Headers.Range, length, out var range, out var partial))
        {
            response.StatusCode = 416;
            response.Headers.ContentRange = $"bytes */{length}";
            return;
        }

        response.StatusCode = partial ? 206 : 200;
        response.ContentType = "application/octet-stream";
        response.Headers.AcceptRanges = "bytes";
        response.Headers.ETag = "\"" + grant.Digest[7..] + "\"";
        response.ContentLength = length == 0 ? 0 : range.Length;
        if (partial)
        {
            response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {range.Start}-{range.End}/{length}");
        }

        if (length == 0)
        {
            return;
        }

        var faults = server.Faults.TakeDownloadFaults(grant.Digest);
        file.Position = range.Start;
        await CopyAsync(context, server, file, range, faults);
    }

    private static Task DenyAsync(HttpContext context, string message)
    {
        context.Response.StatusCode = 403;
        context.Response.ContentType = "application/xml";
        return context.Response.WriteAsync($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>{message}</Message></Error>", context.RequestAborted);
    }

    private static async Task CopyAsync(HttpContext context, ServerContext server, Stream file, ByteRange range, List<DownloadFault> faults)
    {
        var cut = faults.Find(f => f.Kind == DownloadFaultKind.Cut);
        var stall = faults.Find(f => f.Kind == DownloadFaultKind.Stall);
        var corrupt = faults.Find(f => f.Kind == DownloadFaultKind.Corrupt);
        var body = context.Response.Body;
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            long sent = 0;
            var remaining = range.Length;
            var stalled = false;
            while (remaining > 0)
            {
                if (cut is not null && sent >= cut.AfterBytes)
                {
                    if (cut.ExpireUrls)
                    {
                        server.Faults.ExpireDownloadUrls();
                    }

                    // End the response short of its Content-Length: Kestrel then sends what was written and closes
                    // the connection (FIN), so the client reads exactly AfterBytes bytes and then a premature end,
                    // however late it reads. Aborting instead resets the connection (RST), and a reset discards
                    // whatever the client had not read yet: a race with the client's scheduling, not a fault.
                    await body.FlushAsync(context.RequestAborted);
                    if (cut.Reset)
                    {
                        context.Abort();
                    }

                    return;
                }

                if (stall is not null && !stalled && sent >= stall.AfterBytes)
                {
                    stalled = true;
                    await body.FlushAsync(context.RequestAborted);
                    await server.Faults.HoldAsync(stall.Stall, server.Time, context.RequestAborted);
                }

                // Stop each chunk at a fault boundary so cuts and stalls happen at the exact byte count.
                var want = (int)Math.Min(Math.Min(buffer.Length, remaining), NextBoundary(sent, cut, stall));
                var read = await file.ReadAsync(buffer.AsMemory(0, want), context.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                if (corrupt is not null && corrupt.AfterBytes >= range.Start + sent && corrupt.AfterBytes < range.Start + sent + read)
                {
                    buffer[corrupt.AfterBytes - range.Start - sent] ^= 0xFF;
                }

                await body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                sent += read;
                remaining -= read;
            }
        }
        catch (OperationCanceledException)
        {
            context.Abort();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static long NextBoundary(long sent, DownloadFault? cut, DownloadFault? stall)
    {
        var next = long.MaxValue;
        if (cut is not null && cut.AfterBytes > sent)
        {
            next = Math.Min(next, cut.AfterBytes - sent);
        }

        if (stall is not null && stall.AfterBytes > sent)
        {
            next = Math.Min(next, stall.AfterBytes - sent);
        }

        return next;
    }
}
