using System.Diagnostics;

namespace OrleansRaft.Integration.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests use: the one named by ORLEANSRAFT_POSTGRES, or else the throwaway server of
/// infra/postgres/local.sh in .data/postgres-tests, started when it is not running. When neither works the tests
/// fail: a test that needs PostgreSQL never skips.
/// </summary>
/// <remarks>
/// The server in .data/postgres-tests is shared: other test assemblies (run at the same time by
/// <c>dotnet test OrleansRaft.sln</c>) and the benchmarks use it too, and local.sh serializes their starts. So
/// the tests never stop it; <c>infra/postgres/local.sh stop .data/postgres-tests</c> does.
/// </remarks>
internal sealed class LocalPostgres
{
    public const string EnvironmentVariable = "ORLEANSRAFT_POSTGRES";

    private LocalPostgres(string connectionString) => ConnectionString = connectionString;

    public string ConnectionString { get; }

    public static LocalPostgres Start()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            return new LocalPostgres(external);
        }

        var root = RepositoryRoot.Find();
        var start = LocalScript.Run(root, TimeSpan.FromMinutes(8), "start", Path.Combine(root, ".data", "postgres-tests"));
        var lines = start.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (start.ExitCode != 0 || lines.Length == 0)
        {
            throw new InvalidOperationException(
                $"PostgreSQL could not be started with infra/postgres/local.sh (exit {start.ExitCode}). Set {EnvironmentVariable} to use another server.\n{start.Output}\n{start.Error}");
        }

        return new LocalPostgres(lines[^1]);
    }
}

/// <summary>Runs infra/postgres/local.sh, or bash with any arguments.</summary>
internal static class LocalScript
{
    public static (int ExitCode, string Output, string Error) Run(string root, TimeSpan timeout, params string[] arguments) =>
        Bash(timeout, [Path.Combine(root, "infra", "postgres", "local.sh"), .. arguments]);

    public static (int ExitCode, string Output, string Error) Bash(TimeSpan timeout, params string[] arguments)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("bash could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bash {string.Join(' ', arguments)} did not finish within {timeout}.");
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
