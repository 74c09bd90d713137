using System.Threading.Channels;

namespace Replicator.Core.Copy;

/// <summary>
/// Writes into a part queue without ever handing the channel a cancelable token: the channel's wait for room is made
/// with <see cref="CancellationToken.None"/>, and the time limit and the request's cancellation are applied to the
/// task outside it, so an item only ever enters the queue through <see cref="ChannelWriter{T}.TryWrite"/>, whose answer
/// is exact.
/// </summary>
/// <remarks>
/// In .NET 10 a cancelable <see cref="ChannelWriter{T}.WriteAsync"/> can end in an
/// <see cref="OperationCanceledException"/> and still deliver its item: when the token fires while the blocked write
/// registers with it, the write completes as cancelled without reserving its completion, and a reader later promotes
/// its item into the queue all the same. That is the writer's side of the regression in dotnet/runtime#132094 and
/// #129796 (a cancelled ReadAsync losing an item), fixed by dotnet/runtime#132230; it reproduces on .NET 10.0.12, the
/// runtime of this build. A part written so, and also given back as never handed over, was released once too often,
/// and its buffer went back to the pool while another destination still sent it. The uploads' readers keep their
/// cancelable <see cref="ChannelReader{T}.WaitToReadAsync"/>: a wait to read takes no item, so the same race costs
/// nothing there, and parts are only ever taken with TryRead. A wait for room given up on stays queued in the channel
/// until the next read, or until the download completes the queue, which it does on every path.
/// </remarks>
internal static class ChannelWaits
{
    /// <summary>
    /// Writes <paramref name="item"/>, waiting for room at most <paramref name="timeout"/> in all
    /// (<see cref="Timeout.InfiniteTimeSpan"/>: no limit). True when written; false when the time ran out with no room
    /// in the channel, and then the item is not in it.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled; the item is not in the channel.</exception>
    /// <exception cref="ChannelClosedException">The channel was completed; the item is not in it.</exception>
    public static async Task<bool> TryWriteWithinAsync<T>(this ChannelWriter<T> writer, T item, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        // The first wait is given the whole limit, one timer of exactly that length like every other period of the
        // fall-behind rule; a later one, after a wake-up that found no room after all, what is left of it.
        var started = time.GetTimestamp();
        var left = timeout;
        while (!writer.TryWrite(item))
        {
            if (timeout != Timeout.InfiniteTimeSpan && left <= TimeSpan.Zero)
            {
                return false;
            }

            bool open;
            try
            {
                open = await writer.WaitToWriteAsync(CancellationToken.None).AsTask().WaitAsync(left, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Room made just as the limit passed (a reader took an item, and the wake-up it queued had not run when
                // the timer fired) is room all the same: the upload took a part within the period and is not standing
                // still, so the item goes in rather than the upload falling behind for it.
                return writer.TryWrite(item);
            }

            if (!open)
            {
                throw new ChannelClosedException("the part queue was completed before the part could be handed to it");
            }

            if (timeout != Timeout.InfiniteTimeSpan)
            {
                left = timeout - time.GetElapsedTime(started);
            }
        }

        return true;
    }
}
