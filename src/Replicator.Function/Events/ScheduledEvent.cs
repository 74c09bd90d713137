using System.Text.Json;
using System.Text.Json.Serialization;

namespace Replicator.Function.Events;

/// <summary>
/// The event an EventBridge schedule delivers: <c>source</c> aws.events, <c>detail-type</c> Scheduled Event, the
/// rule's ARN in <c>resources</c>, an empty <c>detail</c>
/// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html). It invokes the reconciler.
/// </summary>
public sealed class ScheduledEvent
{
    public const string ExpectedSource = "aws.events";
    public const string ExpectedDetailType = "Scheduled Event";

    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("detail-type")]
    public string? DetailType { get; init; }

    [JsonPropertyName("source")]
    public string? Source { get; init; }

    [JsonPropertyName("account")]
    public string? Account { get; init; }

    [JsonPropertyName("time")]
    public string? Time { get; init; }

    [JsonPropertyName("region")]
    public string? Region { get; init; }

    [JsonPropertyName("resources")]
    public IList<string> Resources { get; init; } = [];

    /// <summary>
    /// True when the invocation payload is a Scheduled Event rather than an SQS batch: the top-level
    /// <c>source</c> and <c>detail-type</c> say so (an SQS event has <c>Records</c> and neither). Reads only the
    /// top level, skipping values; a payload that is not JSON is left for the SQS path to report.
    /// </summary>
    public static bool Is(ReadOnlySpan<byte> payload)
    {
        string? source = null;
        string? detailType = null;
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueTextEquals("source") ? 1 : reader.ValueTextEquals("detail-type") ? 2 : reader.ValueTextEquals("Records") ? 3 : 0;
                if (name == 3 || !reader.Read())
                {
                    return false;
                }

                if (name is 1 or 2 && reader.TokenType == JsonTokenType.String)
                {
                    if (name == 1)
                    {
                        source = reader.GetString();
                    }
                    else
                    {
                        detailType = reader.GetString();
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            // An escaped unpaired surrogate in a string: not a Scheduled Event.
            return false;
        }

        return source == ExpectedSource && detailType == ExpectedDetailType;
    }
}
