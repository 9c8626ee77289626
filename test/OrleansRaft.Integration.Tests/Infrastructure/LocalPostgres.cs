using System.Diagnostics;

namespace OrleansRaft.Integration.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests use: the one named by ORLEANSRAFT_POSTGRES, or else a throwaway server
/// started through infra/postgres/local.sh in .data/postgres-tests. When neither works the tests fail: a test
/// that needs PostgreSQL never skips.
/// </summary>
internal sealed class LocalPostgres
{
    public const string EnvironmentVariable = "ORLEANSRAFT_POSTGRES";

    private LocalPostgres(string connectionString, string? startedDataDir)
    {
        ConnectionString = connectionString;
        StartedDataDir = startedDataDir;
    }

    public string ConnectionString { get; }

    /// <summary>The data folder of the server these tests started, which they stop again; null for an external server.</summary>
    public string? StartedDataDir { get; }

    public static LocalPostgres Start()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            return new LocalPostgres(external, startedDataDir: null);
        }

        var root = RepositoryRoot.Find();
        var dataDir = Path.Combine(root, ".data", "postgres-tests");
        var wasRunning = Run(root, "status", dataDir, TimeSpan.FromSeconds(30)).ExitCode == 0;
        var start = Run(root, "start", dataDir, TimeSpan.FromMinutes(8));
        var lines = start.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (start.ExitCode != 0 || lines.Length == 0)
        {
            throw new InvalidOperationException(
                $"PostgreSQL could not be started with infra/postgres/local.sh (exit {start.ExitCode}). Set {EnvironmentVariable} to use another server.\n{start.Output}\n{start.Error}");
        }

        return new LocalPostgres(lines[^1], wasRunning ? null : dataDir);
    }

    public void StopIfStarted()
    {
        if (StartedDataDir is not null)
        {
            Run(RepositoryRoot.Find(), "stop", StartedDataDir, TimeSpan.FromMinutes(1));
        }
    }

    private static (int ExitCode, string Output, string Error) Run(string root, string command, string dataDir, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("bash")
        {
            ArgumentList = { Path.Combine(root, "infra", "postgres", "local.sh"), command, dataDir },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("bash could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"infra/postgres/local.sh {command} did not finish within {timeout}.");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}

internal static class RepositoryRoot
{
    /// <summary>The folder holding OrleansRaft.sln, found upwards from the test binaries.</summary>
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansRaft.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No OrleansRaft.sln above {AppContext.BaseDirectory}.");
    }
}
