using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Serialization;

/// <summary>
/// AWS JSON 1.1 timestamps: epoch seconds as a JSON number, possibly fractional or in exponent form
/// (ECR answers e.g. <c>1.567447573E9</c>). Kept to millisecond precision, as the AWS SDKs do.
/// </summary>
public sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var seconds))
        {
            return FromSeconds(seconds);
        }

        // Some AWS services send the same number as a string; accept it rather than fail a whole response.
        if (reader.TokenType == JsonTokenType.String
            && double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out seconds))
        {
            return FromSeconds(seconds);
        }

        throw new JsonException("expected a timestamp in epoch seconds");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var milliseconds = value.ToUnixTimeMilliseconds();
        if (milliseconds % 1000 == 0)
        {
            writer.WriteNumberValue(milliseconds / 1000);
        }
        else
        {
            writer.WriteNumberValue(milliseconds / 1000m);
        }
    }

    private static DateTimeOffset FromSeconds(double seconds)
    {
        if (double.IsNaN(seconds) || seconds < -62_135_596_800d || seconds > 253_402_300_799d)
        {
            throw new JsonException("timestamp out of range");
        }

        return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000d, MidpointRounding.AwayFromZero));
    }
}
