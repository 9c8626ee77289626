using OrleansRaft.TestSupport;

namespace OrleansRaft.Host.Tests.Infrastructure;

/// <summary>
/// A launcher's <c>--data-dir</c>, new, under the run's <see cref="TestFolders.Root"/>. The PostgreSQL that the launcher
/// starts in <c>{data-dir}/postgres</c> is guarded as the tests' own servers are (<see cref="PostgresFolder"/>), so that
/// it does not outlive a test process that dies before its launcher stopped it. Disposing removes it and the folder.
/// </summary>
internal sealed class DataDir : IDisposable
{
    private readonly PostgresFolder _postgres;
    private readonly PostgresFolder[] _siloDatabases;

    /// <summary>A new folder; with <paramref name="siloDatabases"/>, the servers of <c>--postgres-per-silo</c> are guarded too.</summary>
    public DataDir(int siloDatabases = 0)
    {
        Path = TestFolders.Create("host");
        _postgres = PostgresFolder.Guard(System.IO.Path.Combine(Path, "postgres"));
        _siloDatabases = [.. Enumerable.Range(1, siloDatabases).Select(n => PostgresFolder.Guard(System.IO.Path.Combine(Path, $"postgres-silo-{n}")))];
    }

    public string Path { get; }

    /// <summary>The launcher's DATADIR of infra/postgres/local.sh.</summary>
    public string Postgres => _postgres.Path;

    public void Dispose()
    {
        _postgres.Dispose();
        foreach (var database in _siloDatabases)
        {
            database.Dispose();
        }

        TestFolders.Delete(Path);
    }
}
