using Replicator.Core.Planning;

namespace Replicator.Core.Replication;

/// <summary>
/// The lasting refusals (<see cref="ReferrerListing.IsLastingFailure"/>) one referrer walk met: how many subjects, told
/// by the first refusal. The copy, the reconciler and verify each keep one per walk and go on with the other subjects.
/// </summary>
public sealed class ReferrerRefusals
{
    private Exception? _first;
    private int _subjects;

    /// <summary>One more subject whose listing was refused with <paramref name="refusal"/>.</summary>
    public void Add(Exception refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        _first ??= refusal;
        _subjects++;
    }

    /// <summary>The subjects refused and the first refusal's code and reason (as a failed copy reports it); null when none was.</summary>
    public UnlistedReferrers? Summary()
    {
        if (_first is null)
        {
            return null;
        }

        var (code, message, _) = FailureClassifier.Classify(_first, null, CancellationToken.None);
        return new UnlistedReferrers(_subjects, code, message);
    }
}
