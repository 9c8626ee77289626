using System.Text;
using OrleansRaft.TestSupport;

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
    /// <paramref name="arguments"/> are separated by spaces (none of them holds one).
    /// </summary>
    public static async Task<EtcdctlResult> RunUntilAsync(string endpoint, string arguments, string? input, Func<string, bool>? stopWhen, TimeSpan bound)
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"{Path} is missing: install Debian's etcd-client package (apt-get install -y etcd-client), as .ci/run does.");
        }

        using var process = ChildProcess.Start(Path, [$"--endpoints={endpoint}", "--command-timeout=10s", .. arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)], new ChildProcessOptions
        {
            Bound = bound,
            Input = input is null ? null : Encoding.UTF8.GetBytes(input),
            Environment = new Dictionary<string, string?> { ["ETCDCTL_API"] = "3" },
        });
        var run = stopWhen is null ? await process.WaitForExitAsync() : await process.RunUntilAsync(stopWhen);
        return new EtcdctlResult(run.ExitCode, run.Stdout, run.Stderr);
    }
}
