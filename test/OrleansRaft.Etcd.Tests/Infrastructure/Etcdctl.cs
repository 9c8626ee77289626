using System.Diagnostics;
using System.Text;

namespace OrleansRaft.Etcd.Tests.Infrastructure;

/// <summary>What an etcdctl run printed.</summary>
public sealed record EtcdctlResult(int ExitCode, string Output, string Error)
{
    public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// Runs etcdctl (Debian's etcd-client, API v3) against the gateway. Every run is bounded: one that does not end by
/// itself within its bound is killed (a watch never ends by itself).
/// </summary>
public static class Etcdctl
{
    public const string Path = "/usr/bin/etcdctl";

    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    public static async Task<EtcdctlResult> RunAsync(string endpoint, string arguments, string? input = null)
    {
        var result = await RunUntilAsync(endpoint, arguments, input, stopWhen: null, Bound);
        Assert.True(result.ExitCode == 0, $"etcdctl {arguments} exited with {result.ExitCode}: {result.Error}{result.Output}");
        return result;
    }

    /// <summary>
    /// Runs etcdctl until it exits, or until <paramref name="stopWhen"/> holds for its output so far (then it is
    /// killed, and the exit code is -1); fails when neither happens within <paramref name="bound"/>.
    /// </summary>
    public static async Task<EtcdctlResult> RunUntilAsync(string endpoint, string arguments, string? input, Func<string, bool>? stopWhen, TimeSpan bound)
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"{Path} is missing: install Debian's etcd-client package (apt-get install -y etcd-client), as .ci/run does.");
        }

        var start = new ProcessStartInfo(Path, $"--endpoints={endpoint} --command-timeout=10s {arguments}")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ETCDCTL_API"] = "3";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var error = new StringBuilder();
        var changed = new SemaphoreSlim(0);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.Append(e.Data).Append('\n');
                }

                changed.Release();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (error)
                {
                    error.Append(e.Data).Append('\n');
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        var deadline = Stopwatch.StartNew();
        var exited = process.WaitForExitAsync();
        while (true)
        {
            string text;
            lock (output)
            {
                text = output.ToString();
            }

            if (stopWhen is not null && stopWhen(text))
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                return new EtcdctlResult(-1, text, Text(error));
            }

            if (exited.IsCompleted)
            {
                // Let the output handlers drain before reading the final text.
                process.WaitForExit();
                lock (output)
                {
                    return new EtcdctlResult(process.ExitCode, output.ToString(), Text(error));
                }
            }

            var remaining = bound - deadline.Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                throw new TimeoutException($"etcdctl {arguments} ran for {bound} without finishing; it printed: {text}{Text(error)}");
            }

            await Task.WhenAny(exited, changed.WaitAsync(remaining));
        }
    }

    private static string Text(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }
}
