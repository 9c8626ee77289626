using OrleansRaft.TestSupport;

namespace OrleansRaft.Host.Tests.Infrastructure;

/// <summary>
/// The built CLI run as a user runs it against the local cluster: <c>dotnet orleansraft.dll ARGS --data-dir DIR</c>,
/// in its own process, finding the cluster through <c>DIR/cluster.json</c> alone. Every wait is bounded by <see cref="Bound"/>.
/// </summary>
internal static class CliRunner
{
    public static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    public static ChildProcess Start(string dataDir, params string[] args) =>
        ChildProcess.Start("dotnet", [Paths.CliDll, .. args, "--data-dir", dataDir], new ChildProcessOptions
        {
            Bound = Bound,
            WorkingDirectory = dataDir,
            DefaultSigInt = true,
            // cluster.json, not the environment, tells the CLI where the cluster is.
            Environment = new Dictionary<string, string?> { ["ORLEANSRAFT_GATEWAYS"] = null },
        });

    public static async Task<ProcessRun> RunAsync(string dataDir, params string[] args)
    {
        using var cli = Start(dataDir, args);
        return await cli.WaitForExitAsync();
    }

    /// <summary>Asserts exit 0 with nothing on standard error, showing the whole run otherwise.</summary>
    public static ProcessRun Ok(this ProcessRun run)
    {
        Assert.True(run.ExitCode == 0 && run.Stderr.Length == 0, $"expected exit 0\n{run}");
        return run;
    }
}
