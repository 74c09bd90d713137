using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Replicator.Function.Observability;

namespace Replicator.Function.Tests.Observability;

public class FunctionLoggerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 4, 5, 6, 789, TimeSpan.Zero));
    private readonly StringWriter _output = new();

    private FunctionLogger Logger(LogLevel level = LogLevel.Info, LogFormat format = LogFormat.Json) => new(new OutputSink(_output), level, format, _time);

    private string[] Lines => _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Json_lines_carry_timestamp_level_message_and_every_field()
    {
        Logger().Info("copied", new LogFields
        {
            RequestId = "r", MessageId = "m", Repository = "repo", Tag = "v1", Digest = "sha256:ab", DestinationRegion = "us-west-2",
            Outcome = "Replicated", LayersCopied = 2, LayersSkipped = 3, Bytes = 4_000_000_000, DurationMs = 5, ErrorType = "E",
        });

        var line = JsonDocument.Parse(Assert.Single(Lines)).RootElement;
        Assert.Equal("2026-11-28T04:05:06.789Z", line.GetProperty("timestamp").GetString());
        Assert.True(DateTimeOffset.TryParse(line.GetProperty("timestamp").GetString(), out _));
        Assert.Equal("INFO", line.GetProperty("level").GetString());
        Assert.Equal("copied", line.GetProperty("message").GetString());
        Assert.Equal("r", line.GetProperty("requestId").GetString());
        Assert.Equal("m", line.GetProperty("messageId").GetString());
        Assert.Equal("repo", line.GetProperty("repository").GetString());
        Assert.Equal("v1", line.GetProperty("tag").GetString());
        Assert.Equal("sha256:ab", line.GetProperty("digest").GetString());
        Assert.Equal("us-west-2", line.GetProperty("destinationRegion").GetString());
        Assert.Equal("Replicated", line.GetProperty("outcome").GetString());
        Assert.Equal(2, line.GetProperty("layersCopied").GetInt32());
        Assert.Equal(3, line.GetProperty("layersSkipped").GetInt32());
        Assert.Equal(4_000_000_000, line.GetProperty("bytes").GetInt64());
        Assert.Equal(5, line.GetProperty("durationMs").GetInt64());
        Assert.Equal("E", line.GetProperty("errorType").GetString());
    }

    [Fact]
    public void Every_field_of_the_record_is_written_by_both_formats_under_one_name()
    {
        // Each property of LogFields set, by reflection: a property added to the record but not to the list both
        // formats write (LogFields.Named) would be left out of the lines, and the schema would drift from the type.
        var fields = new LogFields();
        var properties = typeof(LogFields).GetProperties().Where(p => p.CanWrite).ToList();
        foreach (var property in properties)
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            property.SetValue(fields, type == typeof(string) ? "v" : Convert.ChangeType(7, type, System.Globalization.CultureInfo.InvariantCulture));
        }

        Logger().Info("m", fields);
        Logger(format: LogFormat.Text).Info("m", fields);

        var names = properties.Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).ToList();
        var json = JsonDocument.Parse(Lines[0]).RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["timestamp", "level", "message", .. names.Order(StringComparer.Ordinal)], [.. json.Take(3), .. json.Skip(3).Order(StringComparer.Ordinal)]);

        // The text line places the request id after the level, without a name; every other field is name=value.
        var text = Lines[1];
        Assert.StartsWith("2026-11-28T04:05:06.789Z INFO v m ", text, StringComparison.Ordinal);
        Assert.Equal(names.Where(n => n != "requestId").Order(StringComparer.Ordinal), text.Split(' ').Skip(4).Select(pair => pair[..pair.IndexOf('=', StringComparison.Ordinal)]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Absent_fields_are_left_out()
    {
        Logger().Warn("w");
        var line = JsonDocument.Parse(Assert.Single(Lines)).RootElement;
        Assert.Equal(["timestamp", "level", "message"], line.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void A_multi_line_message_stays_one_json_line()
    {
        Logger().Error("first\nsecond \"quoted\"");
        Assert.Equal("first\nsecond \"quoted\"", JsonDocument.Parse(Assert.Single(Lines)).RootElement.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData(LogLevel.Debug, 4)]
    [InlineData(LogLevel.Info, 3)]
    [InlineData(LogLevel.Warn, 2)]
    [InlineData(LogLevel.Error, 1)]
    [InlineData(LogLevel.Fatal, 0)]
    public void Lines_below_the_level_are_dropped(LogLevel level, int expected)
    {
        var logger = Logger(level);
        logger.Debug("d");
        logger.Info("i");
        logger.Warn("w");
        logger.Error("e");
        Assert.Equal(expected, Lines.Length);
    }

    [Fact]
    public void Text_format_writes_plain_lines()
    {
        Logger(format: LogFormat.Text).Info("copied\nok", new LogFields { RequestId = "r-1", Repository = "repo", Bytes = 7 });
        var line = Assert.Single(Lines);
        Assert.Equal("2026-11-28T04:05:06.789Z INFO r-1 copied ok repository=repo bytes=7", line);
    }

    [Fact]
    public void Concurrent_writers_never_interleave_lines()
    {
        var logger = Logger();
        Parallel.For(0, 200, i => logger.Info($"line {i}", new LogFields { MessageId = new string('x', 200) }));
        Assert.Equal(200, Lines.Length);
        Assert.All(Lines, l => JsonDocument.Parse(l));
    }

    /// <summary>
    /// A field's value passes the redactor as the message does: an error type or a tag is the text of a dependency's
    /// answer as much as a message is, and can carry a token.
    /// </summary>
    [Fact]
    public void Json_field_values_are_redacted()
    {
        Logger().Warn("not copied", new LogFields { ErrorType = "token=s3cr3t-SECRETPART\nnext" });

        Assert.Equal("token=[redacted]\nnext", JsonDocument.Parse(Assert.Single(Lines)).RootElement.GetProperty("errorType").GetString());
    }

    /// <summary>
    /// In text format a field's value is redacted too, and its line breaks become spaces as the message's do: a field
    /// that spans lines would make one record several log events, the later ones without a timestamp or a request id.
    /// </summary>
    [Fact]
    public void Text_field_values_are_redacted_and_kept_on_one_line()
    {
        Logger(format: LogFormat.Text).Warn("not copied", new LogFields { RequestId = "r-1", ErrorType = "token=s3cr3t-SECRETPART\nnext" });

        Assert.Equal("2026-11-28T04:05:06.789Z WARN r-1 not copied errorType=token=[redacted] next", Assert.Single(Lines));
    }
}
