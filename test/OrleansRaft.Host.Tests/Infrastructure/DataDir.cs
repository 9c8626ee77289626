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

    public DataDir()
    {
        Path = TestFolders.Create("host");
        _postgres = PostgresFolder.Guard(System.IO.Path.Combine(Path, "postgres"));
    }

    public string Path { get; }

    /// <summary>The launcher's DATADIR of infra/postgres/local.sh.</summary>
    public string Postgres => _postgres.Path;

    public void Dispose()
    {
        _postgres.Dispose();
        TestFolders.Delete(Path);
    }
}
