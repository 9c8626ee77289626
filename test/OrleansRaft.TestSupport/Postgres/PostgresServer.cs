namespace OrleansRaft.TestSupport;

/// <summary>
/// A throwaway PostgreSQL server that infra/postgres/local.sh starts in a <see cref="PostgresFolder"/> of its own, with
/// the schema applied. Disposing it, or the end of the process, stops it and deletes its folder.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly PostgresFolder _folder;

    private PostgresServer(PostgresFolder folder, string connectionString)
    {
        _folder = folder;
        ConnectionString = connectionString;
    }

    /// <summary>The Npgsql connection string local.sh printed.</summary>
    public string ConnectionString { get; }

    public string DataDir => _folder.Path;

    /// <summary>Starts a server; <paramref name="environment"/> passes local.sh's options (another listen address, say).</summary>
    public static PostgresServer Start(IReadOnlyDictionary<string, string?>? environment = null)
    {
        var folder = PostgresFolder.Create();
        try
        {
            var start = LocalScript.Run(environment ?? new Dictionary<string, string?>(), "start", folder.Path);
            if (start.ExitCode != 0 || start.Lines is [])
            {
                throw new InvalidOperationException(
                    $"PostgreSQL could not be started with infra/postgres/local.sh; set {TestPostgres.EnvironmentVariable} to use another server.\n{start}");
            }

            return new PostgresServer(folder, start.Lines[^1].Trim());
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    public void Dispose() => _folder.Dispose();
}
