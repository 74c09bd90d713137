namespace Replicator.Function.Redelivery;

/// <summary>
/// Pure arithmetic of the redelivery delay: how long a message that failed transiently stays invisible before SQS
/// hands it out again. Exponential on the message's <c>ApproximateReceiveCount</c> (base, then doubling, capped),
/// with "equal jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015): half the ceiling fixed, half
/// random, so that repositories failing together spread out while the worst case stays computable.
/// </summary>
public static class RedeliveryBackoff
{
    public const int DefaultBaseSeconds = 15;
    public const int DefaultMaxSeconds = 900;

    /// <summary>SQS's maximum visibility timeout: 12 hours (ChangeMessageVisibility, SQS API reference).</summary>
    public const int MaxVisibilitySeconds = 43_200;

    /// <summary>Lambda's longest function timeout, 15 minutes (docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html).</summary>
    public const int MaxInvocationSeconds = 900;

    /// <summary>
    /// The visibility timeout of the stack's replication queue (template.yaml, ReplicationQueue): six times the longest
    /// function timeout, as Lambda advises for an SQS event source so that a throttled batch can be retried
    /// (docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
    /// </summary>
    public const int QueueVisibilitySeconds = 6 * MaxInvocationSeconds;

    /// <summary>
    /// The longest delay that SQS is sure to accept: the 12 hours count from the receive, and SQS refuses "a value
    /// greater than the maximum time left" (ChangeMessageVisibility, SQS API reference). By the time the function asks,
    /// up to the queue's visibility timeout has passed since the receive, not only one invocation: Lambda retries a
    /// throttled invocation of a batch "until the message's timestamp exceeds your queue's visibility timeout"
    /// (docs.aws.amazon.com/lambda/latest/operatorguide/sqs-retries.html), and the invocation ends within it. A refused
    /// call leaves the message at the queue's own visibility timeout, so a longer setting would silently become that
    /// timeout.
    /// </summary>
    public const int MaxDelaySeconds = MaxVisibilitySeconds - QueueVisibilitySeconds;

    /// <summary>The ceiling of the delay after the <paramref name="receiveCount"/>-th receive: base × 2^(count-1), capped.</summary>
    public static int CeilingSeconds(int receiveCount, int baseSeconds, int maxSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(baseSeconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSeconds, baseSeconds);
        var doublings = Math.Clamp(receiveCount - 1, 0, 30);
        return (int)Math.Min((long)baseSeconds << doublings, maxSeconds);
    }

    /// <summary>The delay in whole seconds (what ChangeMessageVisibility takes): in [ceiling/2, ceiling].</summary>
    /// <param name="unitRandom">A value in [0, 1).</param>
    public static int DelaySeconds(int receiveCount, int baseSeconds, int maxSeconds, double unitRandom)
    {
        if (unitRandom is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(unitRandom), unitRandom, "must be in [0, 1)");
        }

        var ceiling = CeilingSeconds(receiveCount, baseSeconds, maxSeconds);
        var half = ceiling / 2.0;
        return Math.Max(1, (int)Math.Ceiling(half + (half * unitRandom)));
    }

    /// <summary>
    /// The shortest time a message failing on every receive stays in the queue before it goes to the dead-letter
    /// queue: the sum of the smallest delays after receives 1 .. <paramref name="maxReceiveCount"/> - 1, since with
    /// MAX_RECEIVE_COUNT the function dead-letters it on receive <paramref name="maxReceiveCount"/> itself. (Without it,
    /// SQS moves it when a receive would exceed maxReceiveCount: one more delay, at most <c>maxSeconds</c>.) The time
    /// each invocation itself takes only adds to it.
    /// </summary>
    public static TimeSpan MinimumOutageBeforeDeadLetter(int maxReceiveCount, int baseSeconds, int maxSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxReceiveCount);
        long total = 0;
        for (var receive = 1; receive < maxReceiveCount; receive++)
        {
            total += DelaySeconds(receive, baseSeconds, maxSeconds, 0);
        }

        return TimeSpan.FromSeconds(total);
    }

    /// <summary>The longest such time: every delay at its ceiling.</summary>
    public static TimeSpan MaximumOutageBeforeDeadLetter(int maxReceiveCount, int baseSeconds, int maxSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxReceiveCount);
        long total = 0;
        for (var receive = 1; receive < maxReceiveCount; receive++)
        {
            total += CeilingSeconds(receive, baseSeconds, maxSeconds);
        }

        return TimeSpan.FromSeconds(total);
    }
}
