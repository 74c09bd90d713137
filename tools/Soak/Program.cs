using System.Globalization;
using Soak;

// Usage: dotnet run --project tools/Soak -c Release -- [--messages N] [--repositories N] [--seed N]
//        [--max-receive-count N] [--pollers N] [--fault-rate X] [--outage-minutes N] [--log PATH]
// --outage-minutes N: one destination (eu-west-1) answers 503 to everything for N simulated minutes; the queue
// honours the function's ChangeMessageVisibility on a simulated clock; maxReceiveCount 200 as in the template
// (give --max-receive-count after it to change that).
// Prints the report; exit code 0 when no message was lost and every end state matches its setup, 1 otherwise, 64 usage.
var settings = new SoakSettings();
string? logPath = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] is "-h" or "--help" || i + 1 >= args.Length)
    {
        await Console.Error.WriteLineAsync("usage: Soak [--messages N] [--repositories N] [--seed N] [--max-receive-count N] [--pollers N] [--fault-rate X] [--outage-minutes N] [--log PATH]");
        return 64;
    }

    var value = args[++i];
    switch (args[i - 1])
    {
        case "--messages": settings = settings with { Messages = int.Parse(value, CultureInfo.InvariantCulture) }; break;
        case "--repositories": settings = settings with { Repositories = int.Parse(value, CultureInfo.InvariantCulture) }; break;
        case "--seed": settings = settings with { Seed = int.Parse(value, CultureInfo.InvariantCulture) }; break;
        case "--max-receive-count": settings = settings with { MaxReceiveCount = int.Parse(value, CultureInfo.InvariantCulture) }; break;
        case "--pollers": settings = settings with { Pollers = int.Parse(value, CultureInfo.InvariantCulture) }; break;
        case "--fault-rate": settings = settings with { FaultRate = double.Parse(value, CultureInfo.InvariantCulture) }; break;
        case "--outage-minutes":
            // Outage mode: no random faults, no immutable conflicts or deleted sources: the outage is what is tested.
            settings = settings with { Outage = TimeSpan.FromMinutes(double.Parse(value, CultureInfo.InvariantCulture)), FaultRate = 0, ImmutableConflictRate = 0, DeletedSourceRate = 0, MaxReceiveCount = 200 };
            break;
        case "--log": logPath = value; break;
        default:
            await Console.Error.WriteLineAsync($"unknown option {args[i - 1]}");
            return 64;
    }
}

await using var log = logPath is null ? null : new StreamWriter(logPath);
var report = await SoakRunner.RunAsync(settings, log);
Console.WriteLine(report);
return report.Lost == 0 && report.Problems.Count == 0 ? 0 : 1;
