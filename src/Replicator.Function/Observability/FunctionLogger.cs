using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Replicator.Function.Observability;

/// <summary>
/// Lambda-style structured logs: with <see cref="LogFormat.Json"/> one JSON object per line (timestamp, level,
/// message and the <see cref="LogFields"/>), else plain text lines. Every string is passed through
/// <see cref="Redactor"/>; written with Utf8JsonWriter, no reflection.
/// </summary>
public sealed class FunctionLogger(OutputSink sink, LogLevel minimumLevel, LogFormat format, TimeProvider timeProvider)
{
    public LogFormat Format => format;

    public bool IsEnabled(LogLevel level) => level >= minimumLevel;

    public void Debug(string message, LogFields? fields = null) => Log(LogLevel.Debug, message, fields);

    public void Info(string message, LogFields? fields = null) => Log(LogLevel.Info, message, fields);

    public void Warn(string message, LogFields? fields = null) => Log(LogLevel.Warn, message, fields);

    public void Error(string message, LogFields? fields = null) => Log(LogLevel.Error, message, fields);

    public void Log(LogLevel level, string message, LogFields? fields = null)
    {
        if (!IsEnabled(level))
        {
            return;
        }

        var timestamp = timeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        sink.WriteLine(format == LogFormat.Json ? FormatJson(timestamp, level, message, fields) : FormatText(timestamp, level, message, fields));
    }

    /// <summary>The level as Lambda's JSON log format names it; also the upper-case name of every <see cref="LogLevel"/>.</summary>
    internal static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Info => "INFO",
        LogLevel.Warn => "WARN",
        LogLevel.Error => "ERROR",
        _ => "FATAL",
    };

    private static string FormatJson(string timestamp, LogLevel level, string message, LogFields? fields)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", timestamp);
            json.WriteString("level", LevelName(level));
            json.WriteString("message", Redactor.Redact(message));
            if (fields is not null)
            {
                WriteString(json, "requestId", fields.RequestId);
                foreach (var (name, text, number) in fields.Named())
                {
                    WriteString(json, name, text);
                    WriteNumber(json, name, number);
                }
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string FormatText(string timestamp, LogLevel level, string message, LogFields? fields)
    {
        var text = new StringBuilder(128).Append(timestamp).Append(' ').Append(LevelName(level));
        if (fields?.RequestId is { } requestId)
        {
            text.Append(' ').Append(Redactor.Redact(requestId));
        }

        text.Append(' ').Append(Redactor.Redact(message).ReplaceLineEndings(" "));
        if (fields is not null)
        {
            foreach (var (name, value, number) in fields.Named())
            {
                Append(text, name, value ?? number?.ToString(CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, string name, string? value)
    {
        if (value is not null)
        {
            text.Append(' ').Append(name).Append('=').Append(Redactor.Redact(value).ReplaceLineEndings(" "));
        }
    }

    private static void WriteString(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, Redactor.Redact(value));
        }
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
    }
}
