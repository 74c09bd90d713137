using System.Text;

namespace Replicator.Function.DeadLetter;

/// <summary>
/// Makes text fit for an SQS String message attribute. SQS takes in a message only the XML characters
/// <c>#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF</c> and refuses the whole SendMessage
/// otherwise (the list is on SendMessage's MessageBody,
/// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html; a String attribute
/// value is held to the same text, being Unicode sent in the same request), so one control character echoed from a
/// manifest or an error message would fail the dead-letter send on every receive. A long value is cut on a character boundary, never between the halves of a surrogate pair.
/// </summary>
public static class SqsAttributeText
{
    /// <summary>Stands in for a refused character (U+FFFD is itself allowed).</summary>
    public const char Replacement = '\uFFFD';

    /// <summary>Marks a cut value: the reader sees that text is missing.</summary>
    public const char Ellipsis = '\u2026';

    /// <summary>
    /// <paramref name="value"/> with every character SQS refuses (and every lone surrogate) replaced by
    /// <see cref="Replacement"/>, cut to at most <paramref name="maxLength"/> UTF-16 units ending in <see cref="Ellipsis"/>
    /// when longer.
    /// </summary>
    public static string Clean(string value, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        var text = Replace(value);
        if (text.Length <= maxLength)
        {
            return text;
        }

        // Room for the ellipsis; a high surrogate at the end would lose its low half, so it goes too.
        var keep = maxLength - 1;
        if (char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return text[..keep] + Ellipsis;
    }

    private static string Replace(string value)
    {
        StringBuilder? cleaned = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            int width;
            bool allowed;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                // U+10000..U+10FFFF: always allowed.
                (width, allowed) = (2, true);
            }
            else
            {
                width = 1;
                allowed = c is '\t' or '\n' or '\r' or (>= '\u0020' and <= '\uD7FF') or (>= '\uE000' and <= '\uFFFD');
            }

            if (!allowed)
            {
                cleaned ??= new StringBuilder(value.Length).Append(value, 0, i);
                cleaned.Append(Replacement);
            }
            else
            {
                cleaned?.Append(value, i, width);
            }

            i += width - 1;
        }

        return cleaned?.ToString() ?? value;
    }
}
