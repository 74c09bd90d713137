using Replicator.Core.Errors;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Replication;

/// <summary>An unexpected exception keeps its message, on one line and cut, so the DLQ says more than its type.</summary>
public sealed class FailureClassifierTests
{
    [Fact]
    public void An_unexpected_exception_keeps_its_message_on_one_line()
    {
        var (code, message, transient) = FailureClassifier.Classify(new InvalidOperationException("Collection was modified;\nenumeration operation may not execute."), "v1", CancellationToken.None);

        Assert.Equal("InternalError", code);
        Assert.True(transient);
        Assert.Equal("InvalidOperationException during replication: Collection was modified; enumeration operation may not execute.", message);
    }

    [Fact]
    public void A_long_message_is_cut()
    {
        var (_, message, _) = FailureClassifier.Classify(new InvalidOperationException(new string('x', 5_000)), "v1", CancellationToken.None);

        Assert.Equal("InvalidOperationException during replication: ".Length + ErrorText.MaxQuotedLength + "...".Length, message.Length);
        Assert.EndsWith("x...", message, StringComparison.Ordinal);
    }
}
