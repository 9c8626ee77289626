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
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("bash could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"infra/postgres/local.sh start failed; set ORLEANSRAFT_POSTGRES to use another server.\n{output.Result}\n{error.Result}");
        }

        _connectionString = output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        return Task.CompletedTask;
    }

    // The server stays up for later runs and the other suites that share it; local.sh stop ends it.
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
