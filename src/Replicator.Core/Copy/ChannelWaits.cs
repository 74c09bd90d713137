using System.Threading.Channels;

namespace Replicator.Core.Copy;

/// <summary>
/// Waits on a part queue without ever handing the channel a cancelable token: the channel's own waits are made with
/// <see cref="CancellationToken.None"/>, and the time limit and the request's cancellation are applied to the task
/// outside it, so an item only ever enters the queue through <see cref="ChannelWriter{T}.TryWrite"/>, whose answer is
/// exact.
/// </summary>
/// <remarks>
/// In .NET 10 a cancelable <see cref="ChannelWriter{T}.WriteAsync"/> can end in an
/// <see cref="OperationCanceledException"/> and still deliver its item: when the token fires while the blocked write
/// registers with it, the write completes as cancelled without reserving its completion, and a reader later promotes
/// its item into the queue all the same. That is the writer's side of the regression in dotnet/runtime#132094 and
/// #129796 (a cancelled ReadAsync losing an item), fixed by dotnet/runtime#132230; it reproduces on .NET 10.0.12, the
/// runtime of this build. A part written so, and also given back as never handed over, was released once too often,
/// and its buffer went back to the pool while another destination still sent it. Waiting readers meet the same race
/// harmlessly (a wait takes no item), but go the same way, so that the rule stays one: no copy code passes a
/// cancelable token to a channel. A wait given up on stays queued in the channel until the next read, or until the
/// download completes the queue, which it does on every path.
/// </remarks>
internal static class ChannelWaits
{
    /// <summary>
    /// Writes <paramref name="item"/>, waiting for room at most <paramref name="timeout"/> in all
    /// (<see cref="Timeout.InfiniteTimeSpan"/>: no limit). True when written; false when the time ran out, and then
    /// the item is not in the channel.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled; the item is not in the channel.</exception>
    /// <exception cref="ChannelClosedException">The channel was completed; the item is not in it.</exception>
    public static async Task<bool> TryWriteWithinAsync<T>(this ChannelWriter<T> writer, T item, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (!writer.TryWrite(item))
        {
            var left = timeout;
            if (timeout != Timeout.InfiniteTimeSpan)
            {
                left = timeout - time.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    return false;
                }
            }

            bool open;
            try
            {
                open = await writer.WaitToWriteAsync(CancellationToken.None).AsTask().WaitAsync(left, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                return false;
            }

            if (!open)
            {
                throw new ChannelClosedException("the part queue was completed before the part could be handed to it");
            }
        }

        return true;
    }

    /// <summary>As <see cref="ChannelReader{T}.WaitToReadAsync"/>, with the cancellation applied outside the channel.</summary>
    public static async Task<bool> WaitToReadOrCancelAsync<T>(this ChannelReader<T> reader, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var waiting = reader.WaitToReadAsync(CancellationToken.None);
        return waiting.IsCompleted ? await waiting : await waiting.AsTask().WaitAsync(cancellationToken);
    }
}
