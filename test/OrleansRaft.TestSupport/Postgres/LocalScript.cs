namespace OrleansRaft.TestSupport;

/// <summary>infra/postgres/local.sh, run by bash.</summary>
public static class LocalScript
{
    /// <summary>A first start on a fresh machine installs the server packages.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromMinutes(8);

    public static string Path { get; } = RepositoryRoot.Combine("infra", "postgres", "local.sh");

    public static ProcessRun Run(params string[] arguments) => Run(new Dictionary<string, string?>(), arguments);

    /// <summary>Runs local.sh with <paramref name="environment"/> set (see the variables its header names).</summary>
    public static ProcessRun Run(IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        ChildProcess.Run("bash", [Path, .. arguments], new ChildProcessOptions { Bound = Bound, Environment = environment });

    /// <summary>Stops the server of <paramref name="dataDir"/> at once and deletes it with its folder; fails when local.sh does.</summary>
    public static void Remove(string dataDir)
    {
        var remove = Run("remove", dataDir);
        if (remove.ExitCode != 0)
        {
            throw new InvalidOperationException($"local.sh remove {dataDir} failed.\n{remove}");
        }
    }
}
