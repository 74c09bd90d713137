using System.Buffers;
using System.Text;
using System.Text.Json;
using Replicator.Cli.Verification;

namespace Replicator.Cli.Output;

/// <summary>
/// verify --json, written as it goes with a <see cref="Utf8JsonWriter"/>: the document <see cref="VerifyReport"/>
/// describes (the same properties in the same order, compact, one line and a newline; the tests compare the bytes with
/// the serializer's), flushed to stdout after each repository. The entries come before the counts in that shape, so
/// the counts are written last, from <see cref="VerifyCounts"/>, and no entry is kept: one string of the whole report
/// stopped near .NET's largest string (about a billion characters: some 3.7 million entries).
/// A run that stops on an error or a stop signal leaves the document unfinished (it does not parse), with exit code 2
/// and the reason on stderr, so that a partial report is never read as a whole one.
/// </summary>
public sealed class VerifyJsonWriter : IVerifyOutput, IDisposable
{
    private readonly CliConsole _console;
    private readonly TextWriter _out;
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private readonly Utf8JsonWriter _json;

    public VerifyJsonWriter(CliConsole console, TextWriter output)
    {
        _console = console ?? throw new ArgumentNullException(nameof(console));
        _out = output ?? throw new ArgumentNullException(nameof(output));

        // The serializer's defaults (CliJsonContext sets neither an encoder nor indentation), so the bytes are its bytes.
        _json = new Utf8JsonWriter(_buffer);
    }

    public void Begin(string sourceRegion, IReadOnlyList<string> destinations)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        _json.WriteStartObject();
        _json.WriteString("sourceRegion", sourceRegion);
        _json.WriteStartArray("destinations");
        foreach (var destination in destinations)
        {
            _json.WriteStringValue(destination);
        }

        _json.WriteEndArray();
        _json.WriteStartArray("entries");
        Flush(endLine: false);
    }

    public void Write(IReadOnlyList<DriftEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            JsonSerializer.Serialize(_json, entry, CliJsonContext.Default.DriftEntry);
        }

        Flush(endLine: false);
    }

    public void End(VerifyCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        _json.WriteEndArray();
        _json.WriteBoolean("inSync", counts.InSync);
        _json.WriteNumber("missing", counts.Missing);
        _json.WriteNumber("different", counts.Different);
        _json.WriteNumber("extra", counts.Extra);
        _json.WriteNumber("archivedNotReplicated", counts.ArchivedNotReplicated);
        _json.WriteNumber("unreadable", counts.Unreadable);
        _json.WriteNumber("referrersUnlisted", counts.ReferrersUnlisted);
        _json.WriteNumber("deletedDuringCheck", counts.DeletedDuringCheck);
        _json.WriteEndObject();
        Flush(endLine: true);
    }

    public void Dispose() => _json.Dispose();

    private void Flush(bool endLine)
    {
        _json.Flush();

        // Every flush ends on a token, so the bytes are whole UTF-8 (the default encoder escapes non-ASCII anyway).
        _console.Raw(_out, Encoding.UTF8.GetString(_buffer.WrittenSpan), endLine);
        _buffer.ResetWrittenCount();
    }
}
