using Amazon.SQS;
using Amazon.SQS.Model;
using Moq;
using Replicator.Function.DeadLetter;

namespace Replicator.Function.Tests.DeadLetter;

/// <summary>What reaches SQS's String attribute: only characters it accepts, cut between characters.</summary>
public sealed class SqsAttributeTextTests
{
    private const string Emoji = "\U0001F600"; // two UTF-16 units

    [Fact]
    public async Task A_reason_with_a_control_character_and_an_emoji_across_the_cut_reaches_sqs_clean_and_whole_characters_only()
    {
        SendMessageRequest? sent = null;
        var sqs = new Mock<IAmazonSQS>(MockBehavior.Strict);
        sqs.Setup(s => s.SendMessageAsync(It.IsAny<SendMessageRequest>(), It.IsAny<CancellationToken>()))
            .Callback<SendMessageRequest, CancellationToken>((request, _) => sent = request)
            .ReturnsAsync(new SendMessageResponse { MessageId = "m-1" });
        var queue = new SqsDeadLetterQueue(sqs.Object, new Uri("https://sqs.us-east-1.amazonaws.com/123456789012/dlq.fifo"));

        // The emoji's high surrogate sits at index MaxReasonLength - 2, its low one at MaxReasonLength - 1: a cut at
        // MaxReasonLength - 1 (room for the ellipsis) would split it.
        var prefix = "annotation key \u0001 in manifest: ";
        var reason = prefix + new string('x', SqsDeadLetterQueue.MaxReasonLength - 2 - prefix.Length) + Emoji + new string('y', 50);
        await queue.SendAsync(new DeadLetterMessage("{}", "g", "m", reason, "Type\u0000"), CancellationToken.None);

        var text = sent!.MessageAttributes[DeadLetterMessage.ErrorAttribute].StringValue;
        Assert.StartsWith("annotation key \uFFFD in manifest: ", text, StringComparison.Ordinal);
        Assert.True(text.Length <= 1024, $"length {text.Length}");
        Assert.EndsWith("x\u2026", text, StringComparison.Ordinal);
        Assert.All(text, c => Assert.False(char.IsSurrogate(c), $"a surrogate half U+{(int)c:X4} is left"));
        Assert.Equal("Type\uFFFD", sent.MessageAttributes[DeadLetterMessage.ErrorTypeAttribute].StringValue);
    }

    [Theory]
    [InlineData("tab\tnew\nline\rok", "tab\tnew\nline\rok")]
    [InlineData("bell\u0007 nul\0", "bell\uFFFD nul\uFFFD")]
    [InlineData("\uFFFE\uFFFF", "\uFFFD\uFFFD")]
    [InlineData("pair " + Emoji + " kept, \uE000 and \uFFFD kept", "pair " + Emoji + " kept, \uE000 and \uFFFD kept")]
    public void Only_characters_sqs_refuses_are_replaced(string value, string expected) =>
        Assert.Equal(expected, SqsAttributeText.Clean(value, 1024));

    [Fact]
    public void Lone_surrogates_are_replaced()
    {
        // Not an InlineData: attribute metadata cannot hold a lone surrogate.
        Assert.Equal("lone \uFFFD high, lone \uFFFD low", SqsAttributeText.Clean("lone \uD800 high, lone \uDC00 low", 1024));
        Assert.Equal("end \uFFFD", SqsAttributeText.Clean("end \uD800", 1024));
    }

    [Fact]
    public void A_value_that_fits_is_left_alone_and_a_longer_one_ends_in_an_ellipsis_at_the_limit()
    {
        Assert.Equal("abc", SqsAttributeText.Clean("abc", 3));
        Assert.Equal("ab\u2026", SqsAttributeText.Clean("abcd", 3));
        Assert.Equal("a\u2026", SqsAttributeText.Clean("a" + Emoji + "b", 3));
    }
}
