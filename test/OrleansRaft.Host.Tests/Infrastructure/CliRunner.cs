using System.Diagnostics;
using System.Text;

namespace OrleansRaft.Host.Tests.Infrastructure;

/// <summary>
/// The built CLI run as a user runs it against the local cluster: <c>dotnet orleansraft.dll ARGS --data-dir DIR</c>,
/// in its own process, finding the cluster through <c>DIR/cluster.json</c> alone. Every wait is bounded.
/// </summary>
internal sealed class CliRunner : IDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private CliRunner(string dataDir, IEnumerable<string> args)
    {
        // Through env(1), which restores SIGINT's default disposition: a test host started in the background ignores
        // SIGINT, and a child inherits that, so Ctrl-C could not end a watch otherwise.
        var start = new ProcessStartInfo("env")
        {
            ArgumentList = { "--default-signal=INT", "dotnet", CliDll },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDir,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add("--data-dir");
        start.ArgumentList.Add(dataDir);

        // cluster.json, not the environment, tells the CLI where the cluster is.
        start.Environment.Remove("ORLEANSRAFT_GATEWAYS");
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _process.StandardInput.Close();
    }

    /// <summary>The CLI built in the same configuration as these tests (bin/{Configuration}/net10.0).</summary>
    public static string CliDll
    {
        get
        {
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = framework.Parent?.Name ?? "Release";
            var dll = Path.Combine(Paths.Root, "src", "OrleansRaft.Cli", "bin", configuration, framework.Name, "orleansraft.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"The CLI is not built at {dll}.");
        }
    }

    public int Pid => _process.Id;

    public static CliRunner Start(string dataDir, params string[] args) => new(dataDir, args);

    public static async Task<CliRun> RunAsync(string dataDir, params string[] args)
    {
        using var cli = Start(dataDir, args);
        return await cli.WaitForExitAsync();
    }

    /// <summary>Waits until standard output holds at least <paramref name="count"/> lines; returns them.</summary>
    public async Task<string[]> WaitForLinesAsync(int count)
    {
        while (true)
        {
            var lines = Text(_stdout).Split('\n')[..^1];
            if (lines.Length >= count)
            {
                return lines;
            }

            if (_clock.Elapsed > Bound || _process.HasExited)
            {
                throw new TimeoutException($"Waited for {count} lines of output, got {lines.Length}.\n{await WaitForExitAsync()}");
            }

            await Task.Delay(20);
        }
    }

    public async Task<CliRun> WaitForExitAsync()
    {
        using var bound = new CancellationTokenSource(Bound - _clock.Elapsed);
        try
        {
            await _process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The CLI did not exit within {Bound}.\n--- stdout\n{Text(_stdout)}--- stderr\n{Text(_stderr)}");
        }

        // WaitForExitAsync returns once the redirected streams reached their end, so the output is complete.
        return new CliRun(_process.ExitCode, Text(_stdout), Text(_stderr), _clock.Elapsed);
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
        if (line is not null)
        {
            lock (buffer)
            {
                buffer.Append(line).Append('\n');
            }
        }
    }

    private static string Text(StringBuilder buffer)
    {
        lock (buffer)
        {
            return buffer.ToString();
        }
    }
}

/// <summary>How a CLI process ended: its exit code, what it printed, and how long it ran.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>Standard output's lines, without the final empty one.</summary>
    public string[] Lines => Stdout.Length == 0 ? [] : Stdout.TrimEnd('\n').Split('\n');

    /// <summary>Asserts exit 0 with nothing on standard error, showing the whole run otherwise.</summary>
    public CliRun Ok()
    {
        Assert.True(ExitCode == 0 && Stderr.Length == 0, $"expected exit 0\n{this}");
        return this;
    }

    public override string ToString() => $"exit {ExitCode} after {Elapsed}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}
