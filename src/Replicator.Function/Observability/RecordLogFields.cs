using Replicator.Function.Events;

namespace Replicator.Function.Observability;

/// <summary>
/// The log fields of a line about one SQS record as a whole (dead-lettered, not started, its group stopped, its
/// redelivery scheduled): the request and message ids, and the image its body names, so an operator searching for a
/// repository or a digest finds these lines too, not only the per-destination ones. A body that is not a valid event
/// names no image; <see cref="ParseError"/> then says why.
/// </summary>
public sealed record RecordLogFields(LogFields Fields, string? ParseError)
{
    /// <summary>Appended to a line's message when the record names no image: the reason, so the missing fields are explained.</summary>
    public string Note => ParseError is null ? string.Empty : $" (the message names no image: {ParseError})";

    public static RecordLogFields Of(SQSMessage record, string? requestId)
    {
        ArgumentNullException.ThrowIfNull(record);
        var fields = new LogFields { RequestId = requestId, MessageId = record.MessageId };
        try
        {
            // The same parse the record's handler runs: a few microseconds, and only for these rarer lines.
            var image = EcrEventParser.Parse(record.Body);
            return new RecordLogFields(fields with { Repository = image.RepositoryName, Tag = image.Tag, Digest = image.Digest }, null);
        }
        catch (InvalidEventException ex)
        {
            return new RecordLogFields(fields, $"invalid {ex.Field}: {ex.Message}");
        }
        catch (Exception ex)
        {
            // Never thrown by design (the parser turns every refusal into InvalidEventException), but these fields are
            // built inside the batch's own error handling, where an exception would fail every record of the invocation.
            return new RecordLogFields(fields, $"body not readable: {ex.GetType().Name}");
        }
    }
}
