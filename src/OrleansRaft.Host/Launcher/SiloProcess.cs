using System.Diagnostics;
using System.Reflection;

namespace OrleansRaft.Host.Launcher;

/// <summary>
/// One silo of the local cluster: this same program, started as a child with the silo's configuration in its
/// environment, its output in <c>{data-dir}/logs/silo-N.log</c>, and its standard input held by the launcher (the
/// silo stops gracefully when it closes).
/// </summary>
internal sealed class SiloProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(int number, int siloPort, int gatewayPort, int statusPort, int etcdPort, string logPath, Process process, StreamWriter log)
    {
        Number = number;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        StatusPort = statusPort;
        EtcdPort = etcdPort;
        LogPath = logPath;
        _process = process;
        _log = log;
    }

    public int Number { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public int StatusPort { get; }

    /// <summary>The etcd v3 gateway's port (HTTP/2 cleartext on 127.0.0.1).</summary>
    public int EtcdPort { get; }

    public string EtcdEndpoint => $"127.0.0.1:{EtcdPort}";

    public string LogPath { get; }

    public int Pid => _process.Id;

    public string StatusUrl => $"http://127.0.0.1:{StatusPort}/";

    /// <summary>Completes with the exit code when the process exits, for whatever reason.</summary>
    public Task<int> Exited => _exited.Task;

    public static SiloProcess Start(int number, int siloPort, int gatewayPort, int statusPort, int etcdPort, string logPath, IReadOnlyDictionary<string, string> environment, IEnumerable<string> args)
    {
        // setsid: a Ctrl-C in the terminal reaches the launcher alone, which then stops the silos in order.
        var info = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown.");
        info.ArgumentList.Add(self);
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("The entry assembly is unknown."));
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var silo = new SiloProcess(number, siloPort, gatewayPort, statusPort, etcdPort, logPath, process, log);
        process.OutputDataReceived += (_, e) => silo.Write(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Write(e.Data);
        process.Exited += (_, _) => silo._exited.TrySetResult(process.ExitCode);
        log.WriteLine($"== silo {number} starting at {DateTimeOffset.Now:O}");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>Asks the silo to stop by closing its standard input; kills it if it has not exited within <paramref name="timeout"/>.</summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        if (!Exited.IsCompleted)
        {
            try
            {
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
                // It is exiting already.
            }
        }

        if (await Task.WhenAny(Exited, Task.Delay(timeout)) == Exited)
        {
            return true;
        }

        Kill();
        await Exited;
        return false;
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // Already gone, or already stopped and disposed by the launcher.
        }
    }

    public void Dispose()
    {
        _process.Dispose();
        lock (_logLock)
        {
            _log.Dispose();
        }
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // Output after the launcher let go of the silo.
            }
        }
    }
}
