using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace OrleansRaft.Cli.Tests.Infrastructure;

/// <summary>
/// The CLI run as a user runs it: <c>dotnet orleansraft.dll ARGS</c> in its own process, with its own environment
/// and standard input. Every wait is bounded.
/// </summary>
public sealed class CliProcess : IDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private const int SigInt = 2;

    private static readonly string Assembly = typeof(CliProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "CliAssembly").Value!;

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private CliProcess(IEnumerable<string> args, byte[]? stdin, IReadOnlyDictionary<string, string>? environment, string? workingDirectory)
    {
        // Through env(1), which restores SIGINT's default disposition: a test host started in the background
        // ignores SIGINT, and a child inherits that, so Ctrl-C could not be tested otherwise.
        var start = new ProcessStartInfo("env")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(Assembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("ORLEANSRAFT_GATEWAYS");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (stdin is not null)
        {
            _process.StandardInput.BaseStream.Write(stdin);
        }

        _process.StandardInput.Close();
    }

    /// <summary>Standard output so far.</summary>
    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public static CliProcess Start(IEnumerable<string> args, byte[]? stdin = null, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null) =>
        new(args, stdin, environment, workingDirectory);

    public static async Task<CliResult> RunAsync(IEnumerable<string> args, byte[]? stdin = null, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        using var process = Start(args, stdin, environment, workingDirectory);
        return await process.WaitForExitAsync();
    }

    /// <summary>Waits until standard output holds at least <paramref name="count"/> lines; returns them.</summary>
    public async Task<string[]> WaitForLinesAsync(int count)
    {
        while (true)
        {
            var lines = Stdout.Split('\n')[..^1];
            if (lines.Length >= count)
            {
                return lines;
            }

            if (_clock.Elapsed > Bound || _process.HasExited)
            {
                var end = await WaitForExitAsync();
                throw new TimeoutException($"Waited for {count} lines of output, got {lines.Length}.\n{end}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Ctrl-C: SIGINT, as a terminal sends it.</summary>
    public void Interrupt() => Assert.Equal(0, Kill(_process.Id, SigInt));

    public async Task<CliResult> WaitForExitAsync()
    {
        using var bound = new CancellationTokenSource(Bound - _clock.Elapsed);
        try
        {
            await _process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The CLI did not exit within {Bound}.\n--- stdout\n{Stdout}--- stderr\n{Text(_stderr)}");
        }

        // WaitForExitAsync returns once the redirected streams reached their end, so the output is complete.
        return new CliResult(_process.ExitCode, Stdout, Text(_stderr), _clock.Elapsed);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.Append(line).Append('\n');
        }
    }

    private static string Text(StringBuilder buffer)
    {
        lock (buffer)
        {
            return buffer.ToString();
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
