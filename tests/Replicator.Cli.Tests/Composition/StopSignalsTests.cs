using System.Runtime.InteropServices;
using Replicator.Cli.Composition;

namespace Replicator.Cli.Tests.Composition;

/// <summary>The signal handlers, raised by hand: a real signal sent to the test host would reach every test in it.</summary>
public sealed class StopSignalsTests
{
    private readonly Dictionary<PosixSignal, Action<PosixSignalContext>> _handlers = [];
    private readonly List<Registration> _registrations = [];

    // A test that reads what was written waits for the write however loaded the machine is.
    private StopSignals Register(TextWriter? terminal = null, TimeSpan? cursorWriteWait = null) =>
        new(Record, terminal, cursorWriteWait ?? Timeout.InfiniteTimeSpan);

    /// <summary>Registered as the CLI's own signals are: no cursor wait given, so the product's default applies.</summary>
    private StopSignals RegisterWithDefaultWait(TextWriter terminal) => new(Record, terminal);

    private Registration Record(PosixSignal signal, Action<PosixSignalContext> handler)
    {
        _handlers.Add(signal, handler);
        var registration = new Registration();
        _registrations.Add(registration);
        return registration;
    }

    [Fact]
    public void Ctrl_C_SIGTERM_and_SIGQUIT_are_each_handled()
    {
        using var signals = Register();

        Assert.Equal(new HashSet<PosixSignal> { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT }, _handlers.Keys.ToHashSet());
    }

    [Theory]
    [InlineData(PosixSignal.SIGINT)]
    [InlineData(PosixSignal.SIGTERM)]
    [InlineData(PosixSignal.SIGQUIT)]
    public void A_stop_signal_cancels_the_token_and_keeps_the_process_alive_to_report(PosixSignal signal)
    {
        using var signals = Register();
        var context = new PosixSignalContext(signal);

        _handlers[signal](context);

        Assert.True(signals.Token.IsCancellationRequested);
        Assert.True(context.Cancel, "the runtime's default handling would end the process before the command's report");
    }

    [Theory]
    [InlineData(PosixSignal.SIGINT, PosixSignal.SIGINT)]
    [InlineData(PosixSignal.SIGINT, PosixSignal.SIGTERM)]
    [InlineData(PosixSignal.SIGTERM, PosixSignal.SIGQUIT)]
    public void A_second_signal_is_left_to_the_runtime_which_ends_the_process_at_once(PosixSignal first, PosixSignal then)
    {
        using var signals = Register();
        var stop = new PosixSignalContext(first);
        _handlers[first](stop);
        var second = new PosixSignalContext(then) { Cancel = true };

        _handlers[then](second);

        Assert.True(stop.Cancel);
        Assert.False(second.Cancel, "an operator who insists must not need SIGKILL to end a stop that hangs");
        Assert.True(signals.Token.IsCancellationRequested);
    }

    /// <summary>
    /// The live bars hide the terminal's cursor while they run and show it when they end, which a process that a second
    /// signal ends never reaches: the cursor is shown again before the runtime ends it, so the shell is not left
    /// without one. The first signal writes nothing: the command goes on to end the bars itself.
    /// </summary>
    [Fact]
    public void A_second_signal_shows_the_terminals_cursor_again_before_the_runtime_ends_the_process()
    {
        using var terminal = new StringWriter();
        using var signals = Register(terminal);

        _handlers[PosixSignal.SIGINT](new PosixSignalContext(PosixSignal.SIGINT));
        Assert.Equal(string.Empty, terminal.ToString());

        _handlers[PosixSignal.SIGINT](new PosixSignalContext(PosixSignal.SIGINT));
        Assert.Equal("\u001b[?25h", terminal.ToString());
    }

    /// <summary>
    /// A terminal whose output is stopped (Ctrl+S, XOFF) blocks every write until it is resumed: the second signal does
    /// not wait on its cursor, and the runtime's default handling still ends the process. Null: no wait given, as the
    /// CLI's own signals (Program.cs) are made, so the default moment (<see cref="StopSignals.CursorWriteWait"/>) bounds it.
    /// </summary>
    [Theory]
    [InlineData(50)]
    [InlineData(null)]
    public async Task A_second_signal_on_a_terminal_whose_output_is_stopped_still_lets_the_process_end(int? waitMilliseconds)
    {
        using var stopped = new StoppedTerminal();
        using var signals = waitMilliseconds is { } wait ? Register(stopped, TimeSpan.FromMilliseconds(wait)) : RegisterWithDefaultWait(stopped);
        _handlers[PosixSignal.SIGINT](new PosixSignalContext(PosixSignal.SIGINT));

        var second = new PosixSignalContext(PosixSignal.SIGINT);
        var handled = Task.Run(() => _handlers[PosixSignal.SIGINT](second));

        // Before the write was bounded, the handler never returned: the wait below ends the test with a TimeoutException.
        await handled.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(second.Cancel);
        Assert.True(stopped.Entered.Wait(TimeSpan.FromSeconds(30)), "the cursor was not even tried");
    }

    /// <summary>
    /// The moment a second signal gives the cursor's write by default (the tests above pass their own): long enough for a
    /// terminal that takes output to take it, and short enough that an insisted stop is still at once to the operator.
    /// Without it (zero) the process ended before the write began, the cursor left hidden as before it was restored.
    /// </summary>
    [Fact]
    public void The_cursors_write_waits_long_enough_for_a_terminal_and_short_enough_for_an_insisted_stop()
    {
        Assert.InRange(StopSignals.CursorWriteWait, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// A cancelled command exits as a shell reports a command the signal ended (128 + its number), not 2, which a CI
    /// step reads as refused arguments: 130 for Ctrl+C, 143 for SIGTERM, 131 for SIGQUIT.
    /// </summary>
    [Theory]
    [InlineData(PosixSignal.SIGINT, 130)]
    [InlineData(PosixSignal.SIGTERM, 143)]
    [InlineData(PosixSignal.SIGQUIT, 131)]
    public void A_cancelled_command_exits_with_128_plus_the_number_of_the_signal_that_stopped_it(PosixSignal signal, int expected)
    {
        using var signals = Register();
        _handlers[signal](new PosixSignalContext(signal));

        Assert.Equal(expected, signals.ExitCode(ExitCodes.Cancelled));
    }

    [Theory]
    [InlineData(ExitCodes.Success)]
    [InlineData(ExitCodes.Failed)]
    [InlineData(ExitCodes.Error)]
    public void A_command_that_was_not_cut_short_keeps_its_own_exit_code_whatever_the_signal(int code)
    {
        using var signals = Register();
        Assert.Equal(code, signals.ExitCode(code));
        _handlers[PosixSignal.SIGTERM](new PosixSignalContext(PosixSignal.SIGTERM));

        Assert.Equal(code, signals.ExitCode(code));
    }

    [Fact]
    public void Nothing_is_cancelled_before_a_signal()
    {
        using var signals = Register();

        Assert.False(signals.Token.IsCancellationRequested);
    }

    [Fact]
    public void Dispose_unregisters_every_handler_and_a_late_signal_is_ignored()
    {
        var signals = Register();

        signals.Dispose();
        _handlers[PosixSignal.SIGTERM](new PosixSignalContext(PosixSignal.SIGTERM));

        Assert.Equal(3, _registrations.Count);
        Assert.All(_registrations, r => Assert.True(r.Disposed));
    }

    /// <summary>A terminal whose output is stopped: every write blocks until the test ends.</summary>
    private sealed class StoppedTerminal : TextWriter
    {
        private readonly ManualResetEventSlim _resumed = new();

        public ManualResetEventSlim Entered { get; } = new();

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value) => Block();

        public override void Write(string? value) => Block();

        protected override void Dispose(bool disposing)
        {
            _resumed.Set();
            base.Dispose(disposing);
        }

        private void Block()
        {
            Entered.Set();
            _resumed.Wait();
        }
    }

    private sealed class Registration : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
