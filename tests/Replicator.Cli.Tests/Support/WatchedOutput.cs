using System.Text;
using LocalEcr;

namespace Replicator.Cli.Tests.Support;

/// <summary>
/// A run's stdout that notes which requests LocalEcr had received when a given text first reached it: what a command
/// that writes as it goes must have written before it asks for the next thing. Ordering, not timing: a request is
/// recorded when LocalEcr receives it, so one sent after the text was written cannot be among those noted.
/// Locked: on a terminal Spectre's refresh writes from its own thread.
/// </summary>
internal sealed class WatchedOutput(LocalEcrServer server, Func<string, bool> arrived) : StringWriter
{
    private readonly Lock _gate = new();
    private IReadOnlyList<RecordedRequest>? _requestsThen;

    /// <summary>The requests LocalEcr had recorded when the text first arrived; null if it never did.</summary>
    public IReadOnlyList<RecordedRequest>? RequestsThen
    {
        get
        {
            lock (_gate)
            {
                return _requestsThen;
            }
        }
    }

    /// <summary>Whether <paramref name="request"/> names <paramref name="repository"/> (its JSON body's repositoryName).</summary>
    public static bool Names(RecordedRequest request, string repository) =>
        Encoding.UTF8.GetString(request.Body).Contains($"\"repositoryName\":\"{repository}\"", StringComparison.Ordinal);

    public override void Write(char value)
    {
        lock (_gate)
        {
            base.Write(value);
            Check();
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            base.Write(value);
            Check();
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_gate)
        {
            base.Write(buffer, index, count);
            Check();
        }
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        lock (_gate)
        {
            base.Write(buffer);
            Check();
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return base.ToString();
        }
    }

    private void Check()
    {
        if (_requestsThen is null && arrived(GetStringBuilder().ToString()))
        {
            _requestsThen = server.Calls.Requests;
        }
    }
}
