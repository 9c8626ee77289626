using System.Diagnostics;
using System.Text.RegularExpressions;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Host.Tests.Infrastructure;

/// <summary>
/// The host run as a user runs it, with no configuration: <c>dotnet OrleansRaft.Host.dll --data-dir DIR</c>, which
/// launches a throwaway PostgreSQL and three silo processes. Ports are left to the system (<c>--free-ports</c>), so
/// that the suite does not depend on 11111 and friends being free. Reads what the launcher prints. A launcher still
/// running when the test process exits is killed with its silos.
/// </summary>
internal sealed partial class LauncherProcess : IAsyncDisposable
{
    public static readonly TimeSpan StartBound = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _lock = new();
    private readonly IDisposable _atExit;

    private LauncherProcess(string dataDir, Process process)
    {
        DataDir = dataDir;
        _process = process;
        _atExit = ExitCleanup.Register($"the launcher in {dataDir}", Kill);
    }

    public string DataDir { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<SiloInfo> Silos { get; private set; } = [];

    public string Output
    {
        get
        {
            lock (_lock)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>
    /// Starts the launcher and returns once it printed that the group has a leader. <paramref name="arguments"/> go to
    /// the launcher after its data folder and ports: <c>--silos N</c>, and <c>--Section:Key value</c> for every silo.
    /// </summary>
    public static async Task<LauncherProcess> StartAsync(string dataDir, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Paths.HostDll, "--data-dir", dataDir, "--free-ports" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = dataDir,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        var launcher = new LauncherProcess(dataDir, process);
        process.OutputDataReceived += (_, e) => launcher.Add(e.Data);
        process.ErrorDataReceived += (_, e) => launcher.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await launcher.WaitForLineAsync(ReadyLine(), StartBound);
        }
        catch
        {
            await launcher.DisposeAsync();
            throw;
        }

        launcher.Silos = [.. SiloLine().Matches(launcher.Output).Select(m => new SiloInfo(
            int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value), int.Parse(m.Groups[4].Value), m.Groups[5].Value))];
        return launcher;
    }

    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < bound)
        {
            if (pattern.Match(Output) is { Success: true } match)
            {
                return match;
            }

            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                if (pattern.Match(Output) is { Success: true } last)
                {
                    return last;
                }

                throw new InvalidOperationException($"The launcher exited with {_process.ExitCode} before printing /{pattern}/:\n{Output}");
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"The launcher did not print /{pattern}/ within {bound}:\n{Output}");
    }

    /// <summary>Sends SIGTERM (what a service manager sends; Ctrl-C's SIGINT takes the same path) and waits for the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan bound)
    {
        Signal.Send(Pid, "TERM");
        using var timeout = new CancellationTokenSource(bound);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await StopAsync(TimeSpan.FromSeconds(90));
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        foreach (var silo in Silos)
        {
            Signal.KillIfRunning(silo.Pid);
        }

        _atExit.Dispose();
        _process.Dispose();
    }

    /// <summary>Kills the launcher and its silos (its children, though each in a session of its own).</summary>
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
            // Not started, or exited meanwhile.
        }
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            lock (_lock)
            {
                _lines.Add(line);
            }
        }
    }

    [GeneratedRegex(@"ready: group '(\S+)' is led by member (\d+)")]
    public static partial Regex ReadyLine();

    [GeneratedRegex(@"silo (\d+): pid (\d+), silo port (\d+), gateway port (\d+), status (\S+)")]
    private static partial Regex SiloLine();
}

/// <summary>One silo process as the launcher printed it.</summary>
internal sealed record SiloInfo(int Number, int Pid, int SiloPort, int GatewayPort, string StatusUrl);
