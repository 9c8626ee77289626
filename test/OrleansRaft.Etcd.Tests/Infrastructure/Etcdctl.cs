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
    /// Starts etcdctl for a command that runs until it is stopped (lock, elect, watch); the caller disposes it, which
    /// kills it. <see cref="ChildProcess.Interrupt"/> stops it as Ctrl-C does.
    /// </summary>
    public static ChildProcess Start(string endpoint, string arguments) =>
        ChildProcess.Start(Path, Arguments(endpoint, arguments), new ChildProcessOptions
        {
            Bound = TimeSpan.FromMinutes(2),
            Environment = new Dictionary<string, string?> { ["ETCDCTL_API"] = "3" },
            DefaultSigInt = true,
        });

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

        using var process = ChildProcess.Start(Path, Arguments(endpoint, arguments), new ChildProcessOptions
        {
            Bound = bound,
            Input = input is null ? null : Encoding.UTF8.GetBytes(input),
            Environment = new Dictionary<string, string?> { ["ETCDCTL_API"] = "3" },
        });
        var run = stopWhen is null ? await process.WaitForExitAsync() : await process.RunUntilAsync(stopWhen);
        return new EtcdctlResult(run.ExitCode, run.Stdout, run.Stderr);
    }

    private static IEnumerable<string> Arguments(string endpoint, string arguments) =>
        [$"--endpoints={endpoint}", "--command-timeout=10s", .. arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
}
