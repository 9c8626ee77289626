using System.Diagnostics;

namespace OrleansRaft.Hosting.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server of the PostgreSQL suite: ORLEANSRAFT_POSTGRES when set, else the throwaway server that
/// infra/postgres/local.sh starts (or finds running) in .data/postgres-tests. A test that needs it never skips.
/// </summary>
public sealed class TestPostgres : IAsyncLifetime
{
    private string? _connectionString;

    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("Not started.");

    public Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("ORLEANSRAFT_POSTGRES");
        if (!string.IsNullOrWhiteSpace(external))
        {
            _connectionString = external;
            return Task.CompletedTask;
        }

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
            throw new TimeoutException("infra/postgres/local.sh start did not finish within 8 minutes; set ORLEANSRAFT_POSTGRES to use another server.");
        }

        var lines = output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (process.ExitCode != 0 || lines.Length == 0)
        {
            throw new InvalidOperationException(
                $"infra/postgres/local.sh start failed (exit {process.ExitCode}); set ORLEANSRAFT_POSTGRES to use another server.\n{output.Result}\n{error.Result}");
        }

        _connectionString = lines[^1];
        return Task.CompletedTask;
    }

    // The server is shared with the other test assemblies, which may run at the same time, and with later runs:
    // a test never stops it (local.sh serializes concurrent starts); `infra/postgres/local.sh stop .data/postgres-tests` does.
    public Task DisposeAsync() => Task.CompletedTask;

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
