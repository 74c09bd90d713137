using Microsoft.Extensions.Time.Testing;

namespace Replicator.Cli.Tests.Support;

/// <summary>
/// verify with the source's first DescribeImages held on LocalEcr's clock while the test changes the registries: the
/// race between the source's listing and the destinations', made without waiting for real time.
/// </summary>
internal static class HeldSourceListing
{
    public static async Task<CliRun> VerifyWhileAsync(CliHarness h, FakeTimeProvider time, IReadOnlyList<string> regions, Func<Task> meanwhile, params string[] extra)
    {
        h.Server.Faults.DelayResponses("DescribeImages", TimeSpan.FromMinutes(1), 1, CliHarness.Source);
        var running = h.RunAsync(["verify", .. regions, .. extra]);
        await h.Server.Faults.TimersArmedAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await meanwhile();
        time.Advance(TimeSpan.FromMinutes(1));
        return await running.WaitAsync(TimeSpan.FromMinutes(1));
    }
}
