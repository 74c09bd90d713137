using System.Text.RegularExpressions;
using Replicator.Function.Redelivery;
using Replicator.Testing;

namespace Replicator.Function.Tests.Redelivery;

public sealed partial class RedeliveryBackoffTests
{
    [Theory]
    [InlineData(1, 15)]
    [InlineData(2, 30)]
    [InlineData(3, 60)]
    [InlineData(6, 480)]
    [InlineData(7, 900)]
    [InlineData(1000, 900)]
    [InlineData(0, 15)]
    public void The_ceiling_starts_at_15_s_and_doubles_to_900_s(int receiveCount, int ceiling) =>
        Assert.Equal(ceiling, RedeliveryBackoff.CeilingSeconds(receiveCount, RedeliveryBackoff.DefaultBaseSeconds, RedeliveryBackoff.DefaultMaxSeconds));

    [Theory]
    [InlineData(0.0, 8)]
    [InlineData(0.5, 12)]
    [InlineData(0.999, 15)]
    public void Jitter_keeps_the_delay_between_half_the_ceiling_and_the_ceiling(double random, int seconds) =>
        Assert.Equal(seconds, RedeliveryBackoff.DelaySeconds(1, 15, 900, random));

    [Fact]
    public void A_one_second_base_never_gives_zero() =>
        Assert.Equal(1, RedeliveryBackoff.DelaySeconds(1, 1, 1, 0));

    [Fact]
    public void With_the_defaults_and_the_template_a_message_survives_a_day_of_failure_and_never_expires_unseen()
    {
        var template = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "template.yaml"));
        var queue = template[template.IndexOf("  ReplicationQueue:", StringComparison.Ordinal)..template.IndexOf("  DeadLetterQueue:", StringComparison.Ordinal)];
        // The queue's maxReceiveCount and the function's MAX_RECEIVE_COUNT share one mapping (Stack.Tests pins both to it).
        var mappings = template[template.IndexOf("\nMappings:", StringComparison.Ordinal)..template.IndexOf("\nResources:", StringComparison.Ordinal)];
        var maxReceiveCount = int.Parse(MaxReceiveCount().Match(mappings).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var retention = TimeSpan.FromSeconds(int.Parse(Retention().Match(queue).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        var functionTimeout = TimeSpan.FromSeconds(900);

        var shortest = RedeliveryBackoff.MinimumOutageBeforeDeadLetter(maxReceiveCount, RedeliveryBackoff.DefaultBaseSeconds, RedeliveryBackoff.DefaultMaxSeconds);
        var longest = RedeliveryBackoff.MaximumOutageBeforeDeadLetter(maxReceiveCount, RedeliveryBackoff.DefaultBaseSeconds, RedeliveryBackoff.DefaultMaxSeconds);

        Assert.True(shortest >= TimeSpan.FromHours(24), $"maxReceiveCount {maxReceiveCount}: dead-lettered after {shortest} of failure");
        Assert.True(longest + (maxReceiveCount * functionTimeout) < retention, $"retention {retention} ends before the redrive ({longest} + invocations)");

        // The figures docs/deploy.md states: the function dead-letters on receive 200, after the delays of receives 1..199.
        Assert.Equal(200, maxReceiveCount);
        Assert.Equal(87_323, shortest.TotalSeconds);
        Assert.Equal(174_645, longest.TotalSeconds);
    }

    [GeneratedRegex(@"MaxReceiveCount:\s*(\d+)")]
    private static partial Regex MaxReceiveCount();

    [GeneratedRegex(@"MessageRetentionPeriod:\s*(\d+)")]
    private static partial Regex Retention();

    /// <summary>
    /// The doublings stop only where no setting could still grow: with the smallest base (1 s) and the largest cap SQS
    /// is sure to accept, the ceiling keeps doubling until it reaches the cap.
    /// </summary>
    [Theory]
    [InlineData(12, 2_048)]
    [InlineData(16, 32_768)]
    [InlineData(17, RedeliveryBackoff.MaxDelaySeconds)]
    public void A_one_second_base_doubles_up_to_the_largest_cap(int receiveCount, int ceiling) =>
        Assert.Equal(ceiling, RedeliveryBackoff.CeilingSeconds(receiveCount, 1, RedeliveryBackoff.MaxDelaySeconds));

    [Fact]
    public void A_cap_below_the_base_or_a_base_of_zero_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RedeliveryBackoff.CeilingSeconds(1, 30, 29));
        Assert.Throws<ArgumentOutOfRangeException>(() => RedeliveryBackoff.CeilingSeconds(1, 0, 900));
    }
}
