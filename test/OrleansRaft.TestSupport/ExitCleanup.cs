using System.Runtime.InteropServices;

namespace OrleansRaft.TestSupport;

/// <summary>
/// What a test process must undo before it ends: servers to remove, child processes to stop. Each undo runs once, at
/// the first of: the Dispose of its registration, the process's exit (AppDomain.ProcessExit, which SIGTERM raises
/// too), or SIGINT, SIGQUIT or SIGHUP, whose default action ends the process without raising ProcessExit. At exit the
/// newest registration is undone first.
/// </summary>
/// <remarks>
/// Nothing in a process survives SIGKILL, which is also how the test runner ends a test host that is slow to exit
/// (vstest waits 100 ms after the run): what must never be left behind has a guard outside the process as well
/// (<see cref="PostgresFolder"/>).
/// </remarks>
public static class ExitCleanup
{
    private static readonly Lock Gate = new();
    private static readonly List<Registration> Pending = [];
    private static PosixSignalRegistration[]? _signals;

    /// <summary>Registers <paramref name="undo"/>; disposing the result runs it (once) and unregisters it.</summary>
    public static IDisposable Register(string what, Action undo)
    {
        var registration = new Registration(what, undo);
        lock (Gate)
        {
            Hook();
            Pending.Add(registration);
        }

        return registration;
    }

    private static void Hook()
    {
        if (_signals is not null)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => UndoAll();
        _signals = OperatingSystem.IsWindows()
            ? []
            : [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGQUIT, PosixSignal.SIGHUP }.Select(signal =>
                // Context.Cancel stays false: the signal goes on to end the process, as it would have.
                PosixSignalRegistration.Create(signal, _ => UndoAll()))];
    }

    private static void UndoAll()
    {
        Registration[] pending;
        lock (Gate)
        {
            pending = [.. Pending];
        }

        foreach (var registration in Enumerable.Reverse(pending))
        {
            registration.Undo(atExit: true);
        }
    }

    private sealed class Registration(string what, Action undo) : IDisposable
    {
        private int _done;

        public void Dispose() => Undo(atExit: false);

        public void Undo(bool atExit)
        {
            if (Interlocked.Exchange(ref _done, 1) != 0)
            {
                return;
            }

            lock (Gate)
            {
                Pending.Remove(this);
            }

            try
            {
                undo();
            }
            catch (Exception exception) when (atExit)
            {
                // Nobody else would hear of it; what was left shows in test.sh's check.
                Console.Error.WriteLine($"clean-up of {what} failed: {exception.Message}");
            }
        }
    }
}
