using System.Diagnostics;
using System.Globalization;
using LocalLambdaHost;

// Usage: LocalLambdaHost <event.json> --bootstrap PATH [--timeout SECONDS]
// Starts a loopback Runtime API, runs the bootstrap with AWS_LAMBDA_RUNTIME_API pointing at it (the rest of
// the environment is inherited), sends the event once, prints the response on stdout and the function's own
// output on stderr. Exit code: 0 response, 1 invocation error, 2 init error or early exit, 64 usage.
const string Usage = "usage: LocalLambdaHost <event.json> --bootstrap PATH [--timeout SECONDS]";
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    await Console.Error.WriteLineAsync(Usage);
    return 64;
}

var eventPath = args[0];
string? bootstrapPath = null;
var timeout = TimeSpan.FromSeconds(60);
for (var i = 1; i < args.Length; i += 2)
{
    if (i + 1 == args.Length)
    {
        await Console.Error.WriteLineAsync($"{args[i]} needs a value");
        return 64;
    }

    switch (args[i])
    {
        case "--bootstrap":
            bootstrapPath = args[i + 1];
            break;
        case "--timeout":
            // A mistyped value ("5m") is a usage error in one line, not a FormatException's stack trace.
            if (!double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !double.IsFinite(seconds) || seconds <= 0 || seconds > TimeSpan.MaxValue.TotalSeconds)
            {
                await Console.Error.WriteLineAsync($"--timeout must be a number of seconds greater than 0, not '{args[i + 1]}'");
                return 64;
            }

            timeout = TimeSpan.FromSeconds(seconds);
            break;
        default:
            await Console.Error.WriteLineAsync($"unknown option {args[i]}");
            return 64;
    }
}

if (bootstrapPath is null)
{
    await Console.Error.WriteLineAsync("--bootstrap is required: the path of a published bootstrap (scripts/invoke-local.sh publishes one)");
    await Console.Error.WriteLineAsync(Usage);
    return 64;
}

// The event file and the bootstrap are the two paths a caller types (scripts/invoke-local.sh passes both on): a
// missing or unreadable one is a usage error in one line naming it, not an unhandled exception's stack trace.
string payload;
try
{
    payload = await File.ReadAllTextAsync(eventPath);
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    await Console.Error.WriteLineAsync($"cannot read the event file {eventPath}: {e.Message}");
    return 64;
}

if (!File.Exists(bootstrapPath))
{
    await Console.Error.WriteLineAsync($"--bootstrap {bootstrapPath}: no such file (scripts/invoke-local.sh publishes one, or set BOOTSTRAP to a published bootstrap)");
    return 64;
}

await using var api = await LocalRuntimeApi.StartAsync();
var start = new ProcessStartInfo(Path.GetFullPath(bootstrapPath))
{
    RedirectStandardOutput = true,
    RedirectStandardError = true,
    UseShellExecute = false,
};
start.Environment["AWS_LAMBDA_RUNTIME_API"] = api.Address;
Process? started;
try
{
    started = Process.Start(start);
}
catch (System.ComponentModel.Win32Exception e)
{
    // A file that is not executable (no x bit, another architecture's binary): the OS's reason, in one line.
    await Console.Error.WriteLineAsync($"--bootstrap {bootstrapPath}: could not start it: {e.Message}");
    return 64;
}

using var function = started ?? throw new InvalidOperationException($"could not start {bootstrapPath}");
function.OutputDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine(e.Data); } };
function.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine(e.Data); } };
function.BeginOutputReadLine();
function.BeginErrorReadLine();

try
{
    var invocation = api.InvokeAsync(payload, timeout);
    var finished = await Task.WhenAny(invocation, function.WaitForExitAsync());
    if (finished != invocation)
    {
        await Console.Error.WriteLineAsync($"bootstrap exited with code {function.ExitCode} before answering");
        return 2;
    }

    var result = await invocation;
    Console.WriteLine(result.Body);
    if (!result.IsSuccess)
    {
        await Console.Error.WriteLineAsync($"{result.Status} {result.ErrorType}");
    }

    return result.Status switch
    {
        LocalInvocationStatus.Response => 0,
        LocalInvocationStatus.InvocationError => 1,
        _ => 2,
    };
}
finally
{
    if (!function.HasExited)
    {
        function.Kill();
        await function.WaitForExitAsync();
    }
}
