using System.Globalization;
using Soak;

// Usage: dotnet run --project tools/Soak -c Release -- [--messages N] [--repositories N] [--seed N]
//        [--max-receive-count N] [--pollers N] [--fault-rate X] [--log PATH]
// Prints the report; exit code 0 when no message was lost and every end state matches its setup, 1 otherwise, 64 usage.
var settings = new SoakSettings();
string? logPath = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] is "-h" or "--help" || i + 1 >= args.Length)
    {
        await Console.Error.WriteLineAsync("usage: Soak [--messages N] [--repositories N] [--seed N] [--max-receive-count N] [--pollers N] [--fault-rate X] [--log PATH]");
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
