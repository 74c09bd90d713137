using System.Runtime.InteropServices;

namespace LocalEcr.Hosting;

/// <summary>The command-line life cycle: parse, start, announce on stdout, wait for SIGTERM or Ctrl-C, stop.</summary>
internal static class ConsoleHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (CommandLine.IsHelp(args))
        {
            await Console.Out.WriteLineAsync(CommandLine.Usage);
            return 0;
        }

        if (!CommandLine.TryParse(args, out var options, out var error))
        {
            await Console.Error.WriteLineAsync(error);
            return 2;
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.TrySetResult();
        });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            stop.TrySetResult();
        });

        LocalEcrServer server;
        try
        {
            server = await LocalEcrServer.StartAsync(options);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"LocalEcr: cannot listen on {options.Host}:{options.Port}: {e.Message}");
            return 1;
        }

        await using (server)
        {
            var address = server.BaseAddress.GetLeftPart(UriPartial.Authority);
            await Console.Out.WriteLineAsync($"LocalEcr listening on {address}");
            await Console.Out.FlushAsync();
            await stop.Task;
        }

        return 0;
    }
}
