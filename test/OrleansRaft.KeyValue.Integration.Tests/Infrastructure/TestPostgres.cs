using System.Diagnostics;

namespace OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server of this test run: ORLEANSRAFT_POSTGRES when set, else the throwaway server that
/// infra/postgres/local.sh starts (or finds running) in .data/postgres-tests. It is looked up once per process and
/// shared by every cluster. A test that needs it never skips: when it cannot be had, the test fails and says why.
/// </summary>
/// <remarks>
/// The server in .data/postgres-tests is shared with the other test assemblies, which may run at the same time, and
/// with later runs: local.sh serializes concurrent starts, and no test stops it
/// (<c>infra/postgres/local.sh stop .data/postgres-tests</c> does).
/// </remarks>
public static class TestPostgres
{
    public const string EnvironmentVariable = "ORLEANSRAFT_POSTGRES";

    private static readonly Lazy<string> Server = new(Find, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The Npgsql connection string; the first use starts the server, which can take minutes on a fresh machine.</summary>
    public static string ConnectionString => Server.Value;

    private static string Find() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } external ? external : Start();

    private static string Start()
    {
        var root = FindRoot();
        var info = new ProcessStartInfo("bash")
        {
            ArgumentList = { Path.Combine(root, "infra", "postgres", "local.sh"), "start", Path.Combine(root, ".data", "postgres-tests") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("bash could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"infra/postgres/local.sh start did not finish within 8 minutes; set {EnvironmentVariable} to use another server.");
        }

        var lines = output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (process.ExitCode != 0 || lines.Length == 0)
        {
            throw new InvalidOperationException(
                $"infra/postgres/local.sh start failed (exit {process.ExitCode}); set {EnvironmentVariable} to use another server.\n{output.Result}\n{error.Result}");
        }

        return lines[^1];
    }

    private static string FindRoot()
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
