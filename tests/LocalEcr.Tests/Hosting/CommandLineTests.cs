using LocalEcr.Hosting;

namespace LocalEcr.Tests.Hosting;

public sealed class CommandLineTests
{
    [Fact]
    public void Defaults_are_loopback_port_0_test_keys_and_a_temporary_folder()
    {
        Assert.True(CommandLine.TryParse([], out var options, out var error));
        Assert.Null(error);
        Assert.Equal("127.0.0.1", options.Host);
        Assert.Equal(0, options.Port);
        Assert.Equal("000000000000", options.AccountId);
        Assert.Equal("test", options.AccessKey);
        Assert.Equal("test", options.SecretKey);
        Assert.Equal("aws", options.Partition);
        Assert.Null(options.DataDirectory);
        Assert.Equal(TimeSpan.FromMinutes(20), options.RestoreDuration);
        Assert.True(options.SpareUploads);
    }

    [Fact]
    public void Every_option_is_read_in_both_spellings()
    {
        Assert.True(CommandLine.TryParse(["--port", "5000", "--host=0.0.0.0", "--account", "123456789012", "--access-key", "AK", "--secret-key=SK", "--data-dir", "/tmp/x", "--restore-seconds=90", "--signing-seconds", "7", "--spare-uploads", "off"], out var options, out _));
        Assert.Equal(5000, options.Port);
        Assert.Equal("0.0.0.0", options.Host);
        Assert.Equal("123456789012", options.AccountId);
        Assert.Equal("AK", options.AccessKey);
        Assert.Equal("SK", options.SecretKey);
        Assert.Equal("/tmp/x", options.DataDirectory);
        Assert.Equal(TimeSpan.FromSeconds(90), options.RestoreDuration);
        Assert.Equal(TimeSpan.FromSeconds(7), options.SigningDuration);
        Assert.False(options.SpareUploads);
        Assert.True(CommandLine.TryParse(["--spare-uploads=off", "--spare-uploads=on"], out var on, out _));
        Assert.True(on.SpareUploads);
    }

    [Theory]
    [InlineData("--port", "x")]
    [InlineData("--port", "70000")]
    [InlineData("--account", "123")]
    [InlineData("--host", "not-an-ip")]
    [InlineData("--bogus", "1")]
    [InlineData("--restore-seconds", "-1")]
    [InlineData("--restore-seconds", "20m")]
    [InlineData("--signing-seconds", "-1")]
    [InlineData("--signing-seconds", "3s")]
    [InlineData("--spare-uploads", "no")]
    [InlineData("--spare-uploads", "OFF")]
    [InlineData("--port")]
    [InlineData("--account", "123456789012:AK")]
    [InlineData("--account", "123456789012:AK:SK", "--account", "210987654321")]
    [InlineData("--account", "123456789012:AK:SK", "--account", "210987654321:AK:SK2")]
    [InlineData("--account", "123456789012:AK:SK", "--account", "123456789012:AK2:SK2")]
    [InlineData("--account", "123456789012:AK:SK:")]
    [InlineData("--account", "123456789012:AK:SK:aws-cn:x")]
    [InlineData("--account", "123456789012:AK:SK:aws-cn", "--partition", "aws")]
    public void Bad_arguments_give_one_clear_line(params string[] args)
    {
        Assert.False(CommandLine.TryParse(args, out _, out var error));
        Assert.NotNull(error);
        Assert.DoesNotContain('\n', error);
        Assert.StartsWith("LocalEcr: ", error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A word LocalEcr does not know is named as unknown wherever it stands; last on the line it was reported as an
    /// option that "needs a value", which sent the reader looking for the value of an option that does not exist.
    /// </summary>
    [Theory]
    [InlineData("--bogus", "--bogus")]
    [InlineData("--prot", "--port", "0", "--prot")]
    [InlineData("5000", "5000")]
    [InlineData("--help", "--help", "--port", "0")]
    public void An_unknown_option_is_named_as_unknown_even_without_a_value(string unknown, params string[] args)
    {
        Assert.False(CommandLine.TryParse(args, out _, out var error));

        Assert.StartsWith($"LocalEcr: unknown option '{unknown}'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--data-dir")]
    [InlineData("--access-key")]
    [InlineData("--partition")]
    public void A_known_option_given_empty_is_named_as_needing_a_value(string option)
    {
        Assert.False(CommandLine.TryParse([option + "="], out _, out var error));

        Assert.StartsWith($"LocalEcr: option '{option}' needs a non-empty value", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "--help")]
    [InlineData(true, "-h")]
    [InlineData(false)]
    [InlineData(false, "--port", "0")]
    [InlineData(false, "--secret-key", "-h")]
    public void Help_is_asked_by_help_or_h_alone(bool expected, params string[] args) =>
        Assert.Equal(expected, CommandLine.IsHelp(args));

    [Fact]
    public void Repeated_accounts_with_keys_make_the_first_the_default()
    {
        Assert.True(CommandLine.TryParse(["--account", "111111111111:AKA:SKA", "--account=222222222222:AKB:SKB", "--account", "333333333333:AKC:SKC"], out var options, out var error), error);

        Assert.Equal(("111111111111", "AKA", "SKA"), (options.AccountId, options.AccessKey, options.SecretKey));
        Assert.Equal([new LocalEcrAccount("222222222222", "AKB", "SKB"), new LocalEcrAccount("333333333333", "AKC", "SKC")], options.OtherAccounts);
        Assert.Equal("aws", options.Partition);
    }

    [Fact]
    public void Accounts_take_a_partition_and_the_default_one_also_from_the_partition_option()
    {
        Assert.True(CommandLine.TryParse(["--account", "111111111111:AKA:SKA:aws-cn", "--account=222222222222:AKB:SKB:aws-us-gov", "--account", "333333333333:AKC:SKC"], out var options, out var error), error);
        Assert.True(CommandLine.TryParse(["--account", "444444444444", "--partition", "aws-eusc"], out var single, out error), error);

        Assert.Equal("aws-cn", options.Partition);
        Assert.Equal([new LocalEcrAccount("222222222222", "AKB", "SKB", "aws-us-gov"), new LocalEcrAccount("333333333333", "AKC", "SKC", "aws")], options.OtherAccounts);
        Assert.Equal(("444444444444", "aws-eusc"), (single.AccountId, single.Partition));
    }

    [Theory]
    [InlineData("aws-china", "--partition aws-china")]
    [InlineData("cn-north-1", "--account 111111111111:AKA:SKA --account 222222222222:AKB:SKB:cn-north-1")]
    public void An_unknown_partition_is_named_in_the_error(string bad, string args)
    {
        Assert.False(CommandLine.TryParse(args.Split(' '), out _, out var error));

        Assert.StartsWith("LocalEcr: ", error, StringComparison.Ordinal);
        Assert.Contains($"'{bad}'", error, StringComparison.Ordinal);
        Assert.Contains("aws-us-gov", error, StringComparison.Ordinal);
    }
}
