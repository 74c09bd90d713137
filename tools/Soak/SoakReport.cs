using System.Globalization;
using System.Text;

namespace Soak;

/// <summary>Where every message ended. <see cref="Lost"/> counts messages that reached no verified end state; it must be 0.</summary>
public sealed record SoakReport
{
    public required SoakSettings Settings { get; init; }

    public int Messages { get; init; }

    public int Replicated { get; init; }

    public int Skipped { get; init; }

    /// <summary>
    /// By error type; a message out of receives is counted as <c>ReceivesExhausted:&lt;last error type&gt;</c> when the
    /// function dead-lettered it on its last receive, <c>Redrive:&lt;last error type&gt;</c> when the queue moved it
    /// (<c>NotRun</c>: it never ran, always behind a failed message of its group).
    /// </summary>
    public required IReadOnlyDictionary<string, int> DeadLettered { get; init; }

    public int Lost { get; init; }

    /// <summary>Messages whose end state contradicts how they were set up (e.g. a conflict that was not dead-lettered); each line says why.</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    public int Invocations { get; init; }

    /// <summary>Records reported failed in batch responses and so received again (or redriven).</summary>
    public int ReportedFailures { get; init; }

    public required IReadOnlyDictionary<string, int> FaultsInjected { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>Outage mode: simulated seconds the run took, and the ChangeMessageVisibility calls the function made.</summary>
    public long SimulatedSeconds { get; init; }

    public int VisibilityChanges { get; init; }

    public int DeadLetteredTotal => DeadLettered.Values.Sum();

    public override string ToString()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"soak: {Messages} messages over {Settings.Repositories} repositories, seed {Settings.Seed}, maxReceiveCount {Settings.MaxReceiveCount}, {Settings.Pollers} pollers");
        text.AppendLine(c, $"  replicated    {Replicated}");
        text.AppendLine(c, $"  skipped       {Skipped}");
        text.AppendLine(c, $"  dead-lettered {DeadLetteredTotal}");
        foreach (var (reason, count) in DeadLettered.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            text.AppendLine(c, $"    {reason,-40} {count}");
        }

        text.AppendLine(c, $"  lost          {Lost}");
        if (Settings.Outage > TimeSpan.Zero)
        {
            text.AppendLine(c, $"  outage        {Settings.OutageRegion} for {Settings.Outage.TotalMinutes:0} simulated min; run took {SimulatedSeconds} simulated s, {VisibilityChanges} visibility changes");
        }

        text.AppendLine(c, $"  problems      {Problems.Count}");
        foreach (var problem in Problems.Take(20))
        {
            text.AppendLine(c, $"    {problem}");
        }

        text.AppendLine(c, $"  invocations {Invocations}, records reported failed {ReportedFailures}, duration {Duration.TotalSeconds:F1} s");
        text.Append("  faults injected:");
        foreach (var (kind, count) in FaultsInjected.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            text.Append(c, $" {kind}={count}");
        }

        return text.ToString();
    }
}
