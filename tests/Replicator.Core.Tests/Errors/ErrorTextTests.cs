using Replicator.Core.Errors;

namespace Replicator.Core.Tests.Errors;

/// <summary>
/// How a dependency's message is quoted in ours: one line, cut, and never cut through a word, since the redaction that
/// runs after the cut needs a secret whole to recognise it.
/// </summary>
public sealed class ErrorTextTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    /// <summary>
    /// A cut that falls inside a word (here a secret access key echoed by a dependency) drops the word whole: a half of
    /// it is too short for the redactor's pattern and would reach the log in the clear.
    /// </summary>
    [Theory]
    [InlineData(27)]
    [InlineData(40)]
    [InlineData(64)]
    public void A_cut_inside_a_word_drops_the_word_whole(int maxLength)
    {
        var quoted = ErrorText.Quote($"signature refused for key {Secret} in us-east-1", maxLength);

        Assert.Equal("signature refused for key...", quoted);
        Assert.DoesNotContain("wJal", quoted, StringComparison.Ordinal);
    }

    /// <summary>A cut that falls between words keeps every word before it, and says that the message goes on.</summary>
    [Fact]
    public void A_cut_between_words_keeps_the_words_before_it()
    {
        Assert.Equal("Rate exceeded for account...", ErrorText.Quote("Rate exceeded for account 111111111111", 25));
        Assert.Equal("Rate exceeded for account...", ErrorText.Quote("Rate exceeded for account 111111111111", 26));
    }

    /// <summary>A log line and a dead-letter reason are one line each: line breaks become spaces, the ends are trimmed.</summary>
    [Fact]
    public void A_message_of_several_lines_is_quoted_on_one_line()
    {
        Assert.Equal("Access denied. Request id: 1", ErrorText.Quote("  Access denied.\r\nRequest id: 1\n"));
    }

    /// <summary>No message is quoted as nothing, so the caller leaves out its separator rather than quoting a blank.</summary>
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \r\n\t")]
    public void No_message_is_quoted_as_nothing(string? message) =>
        Assert.Equal(string.Empty, ErrorText.Quote(message));
}
