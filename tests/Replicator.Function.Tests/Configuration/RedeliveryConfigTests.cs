using Replicator.Function.Configuration;
using Replicator.Function.Redelivery;
using Replicator.Function.Tests.Support;
using Replicator.Testing;

namespace Replicator.Function.Tests.Configuration;

public sealed class RedeliveryConfigTests
{
    private static FunctionConfig Load(params (string Name, string? Value)[] extra)
    {
        var values = new Dictionary<string, string?> { ["AWS_REGION"] = "us-east-1", ["DESTINATION_REGIONS"] = "us-west-2" };
        foreach (var (name, value) in extra)
        {
            values[name] = value;
        }

        return FunctionConfig.Load(new DictionaryEnvironmentVariables(values));
    }

    [Fact]
    public void Defaults_are_15_and_900_seconds()
    {
        var config = Load();
        Assert.Equal(15, config.Redelivery.BaseSeconds);
        Assert.Equal(900, config.Redelivery.MaxSeconds);
    }

    [Fact]
    public void Both_settings_are_read()
    {
        var config = Load(("RETRY_BASE_SECONDS", "2"), ("RETRY_MAX_SECONDS", "60"));
        Assert.Equal(2, config.Redelivery.BaseSeconds);
        Assert.Equal(60, config.Redelivery.MaxSeconds);
    }

    /// <summary>
    /// A base above the default cap and no RETRY_MAX_SECONDS: the cap is raised to the base, so every delay is the base.
    /// Left at 900 s, the settings held a cap below their base, which the backoff refuses
    /// (RedeliveryBackoff.CeilingSeconds throws), so every batch with a failed record would end the invocation with an
    /// exception instead of delaying the record, and SQS would deliver the whole batch again, its copied images too.
    /// </summary>
    [Fact]
    public void A_base_above_the_default_cap_without_a_cap_raises_the_cap_to_the_base()
    {
        var config = Load(("RETRY_BASE_SECONDS", "1800"));
        Assert.Equal(1800, config.Redelivery.BaseSeconds);
        Assert.Equal(1800, config.Redelivery.MaxSeconds);
        Assert.Equal(1800, RedeliveryBackoff.CeilingSeconds(3, config.Redelivery.BaseSeconds, config.Redelivery.MaxSeconds));
    }

    [Fact]
    public void Max_receive_count_is_off_unless_set_and_read_from_1_to_1000()
    {
        Assert.Null(Load().MaxReceiveCount);
        Assert.Equal(200, Load(("MAX_RECEIVE_COUNT", "200")).MaxReceiveCount);
        Assert.Equal(1, Load(("MAX_RECEIVE_COUNT", "1")).MaxReceiveCount);
        Assert.Equal(1000, Load(("MAX_RECEIVE_COUNT", "1000")).MaxReceiveCount);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("-5")]
    [InlineData("2.5")]
    [InlineData("many")]
    public void A_max_receive_count_sqs_could_not_have_is_refused_by_name(string value)
    {
        var ex = Assert.Throws<ConfigurationException>(() => Load(("MAX_RECEIVE_COUNT", value)));
        Assert.Equal("MAX_RECEIVE_COUNT", ex.Variable);
        Assert.Contains("1 to 1000", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RETRY_BASE_SECONDS", "0")]
    [InlineData("RETRY_BASE_SECONDS", "1.5")]
    [InlineData("RETRY_BASE_SECONDS", "43201")]
    [InlineData("RETRY_MAX_SECONDS", "10")]
    [InlineData("RETRY_MAX_SECONDS", "forever")]
    [InlineData("RETRY_MAX_SECONDS", "43200")]
    [InlineData("RETRY_MAX_SECONDS", "37801")]
    public void Bad_values_are_refused_by_name(string variable, string value)
    {
        var ex = Assert.Throws<ConfigurationException>(() => Load(("RETRY_BASE_SECONDS", variable == "RETRY_MAX_SECONDS" ? "15" : null), (variable, value)));
        Assert.Contains(variable, ex.Message, StringComparison.Ordinal);
    }

    // SQS counts its 12 hours from the receive and refuses a visibility timeout past them, and Lambda retries a throttled
    // batch until the queue's visibility timeout (5,400 s) has passed since the receive, so the longest delay SQS is sure
    // to take is 12 hours less 5,400 s.
    [Fact]
    public void The_longest_delay_SQS_accepts_after_a_throttled_batchs_retries_is_allowed()
    {
        var config = Load(("RETRY_MAX_SECONDS", "37800"));
        Assert.Equal(37_800, config.Redelivery.MaxSeconds);
    }

    /// <summary>
    /// The bounds are inclusive: a base of one second, and a cap equal to the base (every redelivery waits the same
    /// time), are settings the backoff takes, so neither may be refused at init.
    /// </summary>
    [Fact]
    public void A_base_of_one_second_and_a_cap_equal_to_the_base_are_taken()
    {
        Assert.Equal(1, Load(("RETRY_BASE_SECONDS", "1")).Redelivery.BaseSeconds);

        var config = Load(("RETRY_BASE_SECONDS", "60"), ("RETRY_MAX_SECONDS", "60"));
        Assert.Equal(60, config.Redelivery.BaseSeconds);
        Assert.Equal(60, config.Redelivery.MaxSeconds);
    }
}
