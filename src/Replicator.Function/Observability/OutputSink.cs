namespace Replicator.Function.Observability;

/// <summary>Whole lines to one writer (stdout in Lambda), serialised so concurrent records never interleave a line.</summary>
public sealed class OutputSink(TextWriter writer)
{
    private readonly Lock _gate = new();

    public void WriteLine(string line)
    {
        lock (_gate)
        {
            writer.Write(line);
            writer.Write('\n');
            writer.Flush();
        }
    }
}
