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

        // The folder is checked before the server starts, so that a path that is not a writable folder is named as
        // --data-dir's fault (it was reported as "cannot listen on HOST:PORT", or, denied, as an unhandled exception).
        if (options.DataDirectory is { } dataDirectory && DataDirectoryProblem(dataDirectory) is { } problem)
        {
            await Console.Error.WriteLineAsync($"LocalEcr: --data-dir {dataDirectory} is not a folder LocalEcr can write in: {problem}");
            return 2;
        }

        LocalEcrServer server;
        try
        {
            server = await LocalEcrServer.StartAsync(options);
        }
        catch (DataDirectoryException e)
        {
            // An IOException too, but --data-dir's fault, not the port's: a bad argument, as a data directory that is no
            // writable folder is (in use by another server, or a file where LocalEcr keeps a folder of its own).
            await Console.Error.WriteLineAsync($"LocalEcr: --data-dir {options.DataDirectory}: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            // Kestrel reports a port in use as an IOException, but a bind the OS refuses otherwise (a port below 1024
            // without the privilege, an address of no interface of this machine) as the SocketException itself.
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

    /// <summary>Creates the folder if needed and writes a file in it; null when that works, else the reason.</summary>
    internal static string? DataDirectoryProblem(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            using (File.Create(Path.Combine(path, $".localecr-probe-{Guid.NewGuid():N}"), 1, FileOptions.DeleteOnClose))
            {
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }
}
