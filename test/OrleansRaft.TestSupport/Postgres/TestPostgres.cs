namespace OrleansRaft.TestSupport;

/// <summary>
/// The PostgreSQL server of this test process: the one <see cref="EnvironmentVariable"/> names, or else a
/// <see cref="PostgresServer"/> started at the first use and shared by every test of the process, removed when the
/// process exits. A test that needs it never skips: when it cannot be had, the test fails and says why.
/// </summary>
/// <remarks>
/// Each test process has its own server: <c>dotnet test OrleansRaft.sln</c> runs the test assemblies at once, and a
/// server shared between them would have no owner to stop it.
/// </remarks>
public static class TestPostgres
{
    public const string EnvironmentVariable = "ORLEANSRAFT_POSTGRES";

    private static readonly Lazy<string> Server = new(Find, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The Npgsql connection string; the first use starts the server, which takes minutes on a fresh machine (local.sh installs the packages).</summary>
    public static string ConnectionString => Server.Value;

    /// <summary>A database of its own on this server, dropped when disposed.</summary>
    public static Task<ScratchDatabase> CreateDatabaseAsync() => ScratchDatabase.CreateAsync(ConnectionString);

    // The server is not disposed here: its folder's ExitCleanup registration removes it when the process ends.
    private static string Find() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } external ? external : PostgresServer.Start().ConnectionString;
}
