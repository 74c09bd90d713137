using System.Text;

namespace Replicator.Testing;

/// <summary>
/// Captured output that the product may still be writing from other threads while a test reads it: a log line of a
/// call cancelled after the batch's answer, say. <see cref="StringWriter"/>'s builder is not thread-safe, and a read
/// racing a write can throw (<see cref="StringBuilder.ToString()"/>'s <see cref="ArgumentOutOfRangeException"/> on
/// <c>chunkLength</c>) or see half a line. Every write and every read here takes one lock. The overrides are the
/// writes <see cref="StringWriter"/> implements itself; its other overloads end in one of them.
/// </summary>
public sealed class SynchronizedStringWriter : StringWriter
{
    private readonly Lock _gate = new();

    public override void Write(char value)
    {
        lock (_gate)
        {
            base.Write(value);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_gate)
        {
            base.Write(buffer, index, count);
        }
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        lock (_gate)
        {
            base.Write(buffer);
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            base.Write(value);
        }
    }

    public override void Write(StringBuilder? value)
    {
        lock (_gate)
        {
            base.Write(value);
        }
    }

    public override void WriteLine(ReadOnlySpan<char> buffer)
    {
        lock (_gate)
        {
            base.WriteLine(buffer);
        }
    }

    public override void WriteLine(StringBuilder? value)
    {
        lock (_gate)
        {
            base.WriteLine(value);
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return base.ToString();
        }
    }
}
