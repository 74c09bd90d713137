using LocalEcr;

namespace Soak;

/// <summary>Seeded random faults injected into LocalEcr before an invocation: throttles, 5xx bursts, cut and corrupted downloads.</summary>
public sealed class FaultDice(Random random, double rate)
{
    private static readonly string[] Operations =
    [
        "BatchGetImage", "DescribeRepositories", "CreateRepository", "BatchCheckLayerAvailability", "DescribeImages",
        "GetDownloadUrlForLayer", "InitiateLayerUpload", "UploadLayerPart", "CompleteLayerUpload", "PutImage",
        "ListTagsForResource", "GetLifecyclePolicy", "GetRepositoryPolicy",
    ];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _injected = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, int> Injected
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, int>(_injected, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Up to <paramref name="dice"/> faults, each injected with the configured rate.</summary>
    public void Roll(FaultInjector faults, int dice = 3)
    {
        ArgumentNullException.ThrowIfNull(faults);
        for (var i = 0; i < dice; i++)
        {
            RollOne(faults);
        }
    }

    private void RollOne(FaultInjector faults)
    {
        lock (_gate)
        {
            if (random.NextDouble() >= rate)
            {
                return;
            }

            // Bursts up to 40 often outlast the retry budget of the calls they hit, so records fail and are redelivered.
            var kind = random.Next(4);
            var operation = Operations[random.Next(Operations.Length)];
            var count = random.Next(1, 41);
            switch (kind)
            {
                case 0:
                    faults.FailNext(operation, count, "ThrottlingException", 400);
                    Count("throttle");
                    break;
                case 1:
                    faults.FailNext(operation, count, random.Next(2) == 0 ? "ServerException" : null, random.Next(2) == 0 ? 500 : 503);
                    Count("5xx");
                    break;
                case 2:
                    faults.CutDownloadAfter(random.Next(0, 8_000), count: random.Next(1, 4));
                    Count("cut");
                    break;
                default:
                    faults.CorruptDownload(offset: 0, count: random.Next(1, 4));
                    Count("corrupt");
                    break;
            }
        }
    }

    private void Count(string kind) => _injected[kind] = _injected.GetValueOrDefault(kind) + 1;
}
