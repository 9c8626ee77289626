using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace OrleansRaft.TestSupport;

/// <summary>
/// A program run by a test in its own process, with its own environment and standard input, its output collected
/// line by line. Every wait is bounded by <see cref="ChildProcessOptions.Bound"/>, counted from the start: past it the
/// process is killed and the wait fails. A process still running when it is disposed, or when the test process
/// exits, is killed with its children.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private const int SigInt = 2;

    /// <summary>How long <see cref="Dispose"/> waits for a killed process to be gone.</summary>
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TimeSpan _bound;
    private readonly string _command;
    private readonly Task _exited;
    private readonly IDisposable _atExit;
    private readonly Lock _gate = new();
    private TaskCompletionSource _printed = NewSignal();
    private int _disposed;

    private ChildProcess(string fileName, IEnumerable<string> arguments, ChildProcessOptions options)
    {
        _bound = options.Bound;
        var args = arguments.ToList();
        _command = string.Join(' ', [fileName, .. args]);
        var start = new ProcessStartInfo(options.DefaultSigInt ? "env" : fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = options.WorkingDirectory ?? Environment.CurrentDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (options.DefaultSigInt)
        {
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add(fileName);
        }

        args.ForEach(start.ArgumentList.Add);
        foreach (var (name, value) in options.Environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.Start();
        _atExit = ExitCleanup.Register(_command, Kill);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        // Completes once the process exited and its output reached its end, so the output is whole by then.
        _exited = _process.WaitForExitAsync();
        if (options.Input is { } input)
        {
            _process.StandardInput.BaseStream.Write(input);
        }

        _process.StandardInput.Close();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Standard output so far.</summary>
    public string Stdout => Text(_stdout);

    /// <summary>Standard error so far.</summary>
    public string Stderr => Text(_stderr);

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, ChildProcessOptions? options = null) =>
        new(fileName, arguments, options ?? new ChildProcessOptions());

    /// <summary>Runs the program to its end.</summary>
    public static async Task<ProcessRun> RunAsync(string fileName, IEnumerable<string> arguments, ChildProcessOptions? options = null)
    {
        using var process = Start(fileName, arguments, options);
        return await process.WaitForExitAsync();
    }

    /// <summary>Runs the program to its end, blocking: for the places that cannot await (process exit, constructors).</summary>
    public static ProcessRun Run(string fileName, IEnumerable<string> arguments, ChildProcessOptions? options = null)
    {
        using var process = Start(fileName, arguments, options);
        if (!process._exited.Wait(process.Remaining()))
        {
            throw process.Expired("its exit");
        }

        return process.Result(process._process.ExitCode);
    }

    /// <summary>Waits until standard output holds at least <paramref name="count"/> lines; returns them.</summary>
    public async Task<string[]> WaitForLinesAsync(int count)
    {
        while (true)
        {
            var printed = Printed();
            var lines = Stdout.Split('\n')[..^1];
            if (lines.Length >= count)
            {
                return lines;
            }

            if (_exited.IsCompleted)
            {
                throw new InvalidOperationException($"Waited for {count} lines of output from {_command}, got {lines.Length}.\n{Result(_process.ExitCode)}");
            }

            await NextAsync(printed, $"{count} lines of output");
        }
    }

    public async Task<ProcessRun> WaitForExitAsync()
    {
        while (!_exited.IsCompleted)
        {
            await NextAsync(_exited, "its exit");
        }

        return Result(_process.ExitCode);
    }

    /// <summary>
    /// Waits until the process exits, or until <paramref name="stopWhen"/> holds for its output so far; then the
    /// process is killed, and the run returned has exit code -1 and the output that <paramref name="stopWhen"/> saw.
    /// </summary>
    public async Task<ProcessRun> RunUntilAsync(Func<string, bool> stopWhen)
    {
        while (true)
        {
            var printed = Printed();
            var text = Stdout;
            if (stopWhen(text))
            {
                Kill();
                await _exited;
                return new ProcessRun(-1, text, Stderr, _clock.Elapsed);
            }

            if (_exited.IsCompleted)
            {
                return Result(_process.ExitCode);
            }

            await NextAsync(printed, "its output to end, or to be what the test waits for");
        }
    }

    /// <summary>Ctrl-C: SIGINT, as a terminal sends it.</summary>
    public void Interrupt()
    {
        if (SendSignal(_process.Id, SigInt) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGINT) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>Kills the process (and its children) if it still runs, and returns once it has exited, its files closed.</summary>
    /// <remarks>Disposing again does nothing.</remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _atExit.Dispose();
        if (!_process.WaitForExit(ExitWait))
        {
            throw new InvalidOperationException($"{_command} (pid {_process.Id}) was killed but had not exited after {ExitWait}.");
        }

        _process.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next line of output (on either stream).</summary>
    private Task Printed()
    {
        lock (_gate)
        {
            return _printed.Task;
        }
    }

    /// <summary>Waits for <paramref name="signal"/> or the exit; past the bound, kills the process and fails saying <paramref name="what"/> it waited for.</summary>
    private async Task NextAsync(Task signal, string what)
    {
        using var early = new CancellationTokenSource();
        var bound = Task.Delay(Remaining(), early.Token);
        var first = await Task.WhenAny(signal, _exited, bound);
        await early.CancelAsync();
        if (first == bound)
        {
            throw Expired(what);
        }
    }

    private TimeSpan Remaining()
    {
        var remaining = _bound - _clock.Elapsed;
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    private TimeoutException Expired(string what)
    {
        Kill();
        _exited.Wait(TimeSpan.FromSeconds(10));
        return new TimeoutException($"{_command} ran for {_bound} without {what}; it was killed.\n--- stdout\n{Stdout}--- stderr\n{Stderr}");
    }

    private ProcessRun Result(int exitCode) => new(exitCode, Stdout, Stderr, _clock.Elapsed);

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    private void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.Append(line).Append('\n');
        }

        TaskCompletionSource printed;
        lock (_gate)
        {
            printed = _printed;
            _printed = NewSignal();
        }

        printed.TrySetResult();
    }

    private static string Text(StringBuilder buffer)
    {
        lock (buffer)
        {
            return buffer.ToString();
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
