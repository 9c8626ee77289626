using System.Diagnostics;

namespace OrleansRaft.Benchmarks;

/// <summary>The PostgreSQL server the benchmarks write to: the one ORLEANSRAFT_POSTGRES names, or a throwaway local one.</summary>
internal static class LocalPostgres
{
    public static string ConnectionString() =>
        Environment.GetEnvironmentVariable("ORLEANSRAFT_POSTGRES") is { Length: > 0 } external ? external : Start();

    /// <summary>Runs infra/postgres/local.sh start, whose last line is the connection string.</summary>
    private static string Start()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "OrleansRaft.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new InvalidOperationException("No OrleansRaft.sln above the benchmark.");
        }

        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(root, "infra", "postgres", "local.sh"));
        info.ArgumentList.Add("start");
        using var process = Process.Start(info) ?? throw new InvalidOperationException("bash could not be started.");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (process.ExitCode != 0 || lines.Length == 0)
        {
            throw new InvalidOperationException($"infra/postgres/local.sh start failed (exit {process.ExitCode}); set ORLEANSRAFT_POSTGRES to use another server.");
        }

        return lines[^1];
    }
}
