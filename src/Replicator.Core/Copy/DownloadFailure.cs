using System.Net.Sockets;

namespace Replicator.Core.Copy;

/// <summary>
/// How <see cref="BlobDownload"/> sorts and names what went wrong with a GET of a presigned URL. The names come from
/// status codes and error kinds only, never from an exception's message: a message can carry the URL's host, and the
/// URL itself is a bearer secret.
/// </summary>
internal static class DownloadFailure
{
    /// <summary>
    /// Whether the GET can be resumed: a failed, cut or stalled connection, or an error status (raised as an
    /// <see cref="HttpRequestException"/>). Cancellation by the caller is never resumed; a stall timeout is.
    /// </summary>
    public static bool IsResumable(Exception ex, CancellationToken cancellationToken) =>
        ex is IOException or HttpRequestException or EndOfStreamException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>What went wrong, for the error a download that gives up throws.</summary>
    public static string Describe(Exception failure) => failure switch
    {
        HttpRequestException { StatusCode: { } status } => $"HTTP {(int)status}",
        HttpRequestException e => $"connection failed: {ConnectionError(e, e.HttpRequestError)}",
        HttpIOException e => $"connection failed: {ConnectionError(e, e.HttpRequestError)}",
        EndOfStreamException => "the body ended early",
        MisplacedRangeException e => e.Message,
        OperationCanceledException => "timed out",
        _ => $"connection failed: {ConnectionError(failure, null)}",
    };

    /// <summary>The socket's error code when one is inside, else the HTTP error kind, else the exception's type.</summary>
    private static string ConnectionError(Exception failure, HttpRequestError? kind)
    {
        for (var inner = failure.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode.ToString();
            }
        }

        return kind is { } known and not HttpRequestError.Unknown ? known.ToString() : failure.GetType().Name;
    }

    /// <summary>A ranged GET answered from a later byte than asked: resumed like a cut body. Its message holds offsets only.</summary>
    public sealed class MisplacedRangeException(string message) : IOException(message);
}
