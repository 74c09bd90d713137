using System.Runtime.InteropServices;

namespace Replicator.Cli.Composition;

/// <summary>
/// Turns every signal that asks the CLI to stop into one cancellation: Ctrl+C (SIGINT), Ctrl+\ (SIGQUIT, which
/// <see cref="Console.CancelKeyPress"/> also reports) and SIGTERM, which <c>timeout</c>, systemd, Kubernetes and CI
/// runners send. Each one cancels <see cref="Token"/> and cancels the runtime's default handling, which for SIGTERM
/// would end the process before the command reports how far it got; the command then exits as cancelled, with 128 + the
/// signal's number (<see cref="ExitCode"/>). A second signal is left to the runtime, which ends the process at once.
/// A supervisor that will not wait sends SIGKILL after its grace period (Kubernetes: terminationGracePeriodSeconds,
/// https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination; systemd: TimeoutStopSec).
/// On Windows the runtime maps SIGINT to Ctrl+C, SIGQUIT to Ctrl+Break and SIGTERM to a shutdown event
/// (https://learn.microsoft.com/dotnet/api/system.runtime.interopservices.posixsignalregistration).
/// </summary>
public sealed class StopSignals : IDisposable
{
    /// <summary>The signals that stop a command.</summary>
    public static IReadOnlyList<PosixSignal> Signals { get; } = [PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT];

    /// <summary>
    /// DECTCEM set, "show the cursor" (CSI ? 25 h: a private mode in ECMA-48's CSI syntax, 8.3.2;
    /// https://invisible-island.net/xterm/ctlseqs/ctlseqs.html, "DECTCEM").
    /// </summary>
    internal const string ShowCursor = "\u001b[?25h";

    /// <summary>
    /// How long a second signal waits for <see cref="ShowCursor"/> to reach a terminal before the process ends anyway:
    /// a terminal that takes output writes it at once; one whose output is stopped would hold the stop for ever.
    /// </summary>
    internal static readonly TimeSpan CursorWriteWait = TimeSpan.FromMilliseconds(250);

    private readonly CancellationTokenSource _stopping = new();
    private readonly IDisposable[] _registrations;
    private readonly TextWriter? _terminal;
    private readonly TimeSpan _cursorWriteWait;
    private int _signalled;
    private PosixSignal? _stoppedBy;

    /// <summary>Registers with the operating system.</summary>
    /// <param name="terminal">stdout when it is a terminal that takes ANSI sequences, else null: see <see cref="Handle"/>.</param>
    public StopSignals(TextWriter? terminal = null)
        : this(static (signal, handler) => PosixSignalRegistration.Create(signal, handler), terminal)
    {
    }

    /// <summary>Registers through <paramref name="register"/>, so a test can raise a signal without sending one to its own process.</summary>
    /// <param name="cursorWriteWait">How long a second signal waits for the cursor to be written before it lets the
    /// process end: <see cref="CursorWriteWait"/> unless a test shortens it.</param>
    internal StopSignals(Func<PosixSignal, Action<PosixSignalContext>, IDisposable> register, TextWriter? terminal = null, TimeSpan? cursorWriteWait = null)
    {
        ArgumentNullException.ThrowIfNull(register);
        _terminal = terminal;
        _cursorWriteWait = cursorWriteWait ?? CursorWriteWait;
        _registrations = [.. Signals.Select(signal => register(signal, Handle))];
    }

    /// <summary>Cancelled by the first stop signal.</summary>
    public CancellationToken Token => _stopping.Token;

    private void Handle(PosixSignalContext context)
    {
        // The first signal stops the command, which exits once it has written its report. A second one is the
        // operator (or a supervisor) insisting: the runtime's default handling ends the process at once, without the
        // report, as a second Ctrl+C does in most command-line tools, rather than leaving SIGKILL as the only way out
        // of a stop that hangs (a call that does not answer its cancellation).
        if (Interlocked.Exchange(ref _signalled, 1) == 1)
        {
            // The live bars hide the cursor while they run (Spectre's progress display) and show it again when they end,
            // which a process ended here never reaches: the shell was left with no cursor until `reset` or `tput cnorm`.
            // It is shown again first; where it was not hidden, showing it changes nothing.
            RestoreCursor();
            context.Cancel = false;
            return;
        }

        context.Cancel = true;
        _stoppedBy = context.Signal;
        try
        {
            _stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // A signal raced with Dispose: the command has already returned, so there is nothing left to stop.
        }
    }

    private void RestoreCursor()
    {
        if (_terminal is null)
        {
            return;
        }

        // The runtime ends the process only once this handler returns, and a write to a terminal whose output is
        // stopped (Ctrl+S sends XOFF; a pseudo-terminal nobody reads) blocks until it is resumed, as does the console
        // writer's lock while the bars' own refresh is blocked inside it: the insisted stop must not wait on the
        // cursor. The write gets a bounded moment on another thread; if it has not gone by then, the process ends
        // without it, as it did before the cursor was restored here. A thread of its own, not the pool's: a busy pool
        // would leave the cursor hidden on a terminal that takes it.
        var write = new Thread(() =>
        {
            try
            {
                _terminal.Write(ShowCursor);
                _terminal.Flush();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The terminal is gone (closed, hung up): nothing left to restore.
            }
        })
        { IsBackground = true, Name = "restore cursor" };
        write.Start();
        write.Join(_cursorWriteWait);
    }

    /// <summary>
    /// The process's exit code for the command's <paramref name="commandExitCode"/>: a command that reports itself
    /// cancelled (<see cref="ExitCodes.Cancelled"/>) exits with 128 + the number of the signal that stopped it, as a
    /// shell reports a command that signal ended (https://www.gnu.org/software/bash/manual/html_node/Exit-Status.html):
    /// 130 for Ctrl+C, 143 for SIGTERM (which is also what a second signal leaves, the runtime's default handling), 131
    /// for SIGQUIT. The numbers are POSIX's on Linux and macOS (signal(7)); <see cref="PosixSignal"/>'s values are .NET's
    /// own, not those numbers. Any other code stands: a stop that cut nothing leaves the run's own code.
    /// </summary>
    public int ExitCode(int commandExitCode) =>
        commandExitCode != ExitCodes.Cancelled ? commandExitCode : _stoppedBy switch
        {
            PosixSignal.SIGTERM => 128 + 15,
            PosixSignal.SIGQUIT => 128 + 3,
            _ => ExitCodes.Cancelled,
        };

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stopping.Dispose();
    }
}
