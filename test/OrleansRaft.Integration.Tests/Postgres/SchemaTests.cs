using System.Security.Cryptography;
using Npgsql;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.Integration.Tests.Infrastructure;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Integration.Tests.Postgres;

/// <summary>The schema under infra/postgres, as the script and the C# applier apply it.</summary>
[Collection(StorageCollection.Name)]
public sealed class SchemaTests(StorageCluster cluster)
{
    private static readonly string MigrationsFolder = RepositoryRoot.Combine("infra", "postgres", "migrations");

    [Fact]
    public void The_embedded_migrations_are_the_files_in_infra()
    {
        var files = Directory.GetFiles(MigrationsFolder, "*.sql").Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileNameWithoutExtension(f), Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))));

        Assert.Equal(files, PostgresSchema.Migrations.Select(m => (m.Name, m.Sha256)));
        Assert.Equal(
            ["0001_orleans_query", "0002_orleans_persistence", "0003_orleans_clustering", "0004_raft_grain_state"],
            PostgresSchema.Migrations.Select(m => m.Name));
    }

    [Fact]
    public void The_migrations_have_the_line_endings_their_checksums_were_taken_with()
    {
        // .gitattributes keeps *.sql at LF: a CRLF checkout would change every checksum and be refused by every
        // database that applied the migrations from an LF one.
        Assert.All(PostgresSchema.Migrations, migration => Assert.DoesNotContain('\r', migration.Sql));
    }

    [Fact]
    public async Task Applying_to_a_database_that_has_the_schema_changes_nothing()
    {
        Assert.Empty(await PostgresSchema.ApplyAsync(cluster.PostgresConnectionString));
        Assert.Equal(
            PostgresSchema.Migrations.Select(m => $"{m.Name} {m.Sha256}"),
            await Strings(cluster.PostgresConnectionString, "SELECT name || ' ' || sha256 FROM raft_schema_migrations ORDER BY name"));
    }

    [Fact]
    public async Task The_script_and_the_applier_running_at_once_apply_each_migration_once()
    {
        await using var database = await ScratchDatabase.CreateAsync(cluster.PostgresConnectionString);

        var appliers = Enumerable.Range(0, 3).Select(_ => Task.Run(() => PostgresSchema.ApplyAsync(database.ConnectionString))).ToList();
        var script = Task.Run(() => RunScript(database.ConnectionString));
        var applied = (await Task.WhenAll(appliers)).SelectMany(names => names).ToList();
        var scriptResult = await script;

        Assert.True(scriptResult.ExitCode == 0, scriptResult.Error);
        var byScript = scriptResult.Error.Split('\n').Where(l => l.StartsWith("applied ", StringComparison.Ordinal)).Select(l => l["applied ".Length..]);
        Assert.Equal(PostgresSchema.Migrations.Select(m => m.Name), applied.Concat(byScript).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["CleanupDefunctSiloEntriesKey", "ClearStorageKey", "DeleteMembershipTableEntriesKey", "DeleteStorageKey", "GatewaysQueryKey",
             "InsertMembershipKey", "InsertMembershipVersionKey", "MembershipReadAllKey", "MembershipReadRowKey", "ReadFromStorageKey",
             "UpdateIAmAlivetimeKey", "UpdateMembershipKey", "WriteToStorageKey"],
            await Strings(database.ConnectionString, "SELECT querykey FROM orleansquery ORDER BY querykey COLLATE \"C\""));
    }

    [Fact]
    public async Task A_migration_changed_after_it_was_applied_is_refused_by_both_appliers()
    {
        await using var database = await ScratchDatabase.CreateAsync(cluster.PostgresConnectionString);
        await PostgresSchema.ApplyAsync(database.ConnectionString);
        await Strings(database.ConnectionString, "UPDATE raft_schema_migrations SET sha256 = repeat('0', 64) WHERE name = '0002_orleans_persistence' RETURNING name");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSchema.ApplyAsync(database.ConnectionString));
        var script = RunScript(database.ConnectionString);

        Assert.Contains("0002_orleans_persistence was changed", error.Message);
        Assert.NotEqual(0, script.ExitCode);
        Assert.Contains("migration 0002_orleans_persistence was changed after it was applied", script.Error);
    }

    [Fact]
    public async Task A_connection_lost_while_applying_surfaces_its_own_error()
    {
        await using var database = await ScratchDatabase.CreateAsync(cluster.PostgresConnectionString);
        await PostgresSchema.ApplyAsync(database.ConnectionString);

        // Hold the migrations table, so the applier blocks on it once it holds the advisory lock; then end its session.
        await using var blocker = new NpgsqlConnection(database.ConnectionString);
        await blocker.OpenAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE raft_schema_migrations IN ACCESS EXCLUSIVE MODE", blocker, hold))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        await using var applier = new NpgsqlConnection(database.ConnectionString);
        await applier.OpenAsync();
        var applying = PostgresSchema.ApplyAsync(applier);
        await WaitUntil(blocker, $"SELECT count(*) FROM pg_stat_activity WHERE pid = {applier.ProcessID} AND wait_event_type = 'Lock' AND wait_event = 'relation'");
        await using (var terminate = new NpgsqlCommand($"SELECT pg_terminate_backend({applier.ProcessID})", blocker, hold))
        {
            await terminate.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<PostgresException>(() => applying);
        Assert.Equal(PostgresErrorCodes.AdminShutdown, error.SqlState);
    }

    /// <summary>Polls <paramref name="countSql"/> until it counts a row, for at most 30 seconds.</summary>
    private static async Task WaitUntil(NpgsqlConnection connection, string countSql)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var count = new NpgsqlCommand(countSql, connection);
        while ((long)(await count.ExecuteScalarAsync(timeout.Token))! == 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), timeout.Token);
        }
    }

    private static (int ExitCode, string Error) RunScript(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var run = ChildProcess.Run(
            "bash",
            [RepositoryRoot.Combine("infra", "postgres", "apply-schema.sh"), $"postgresql://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}"],
            new ChildProcessOptions { Bound = TimeSpan.FromMinutes(1), Environment = new Dictionary<string, string?> { ["PGPASSWORD"] = builder.Password } });
        return (run.ExitCode, run.Stderr);
    }

    internal static async Task<List<string>> Strings(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
