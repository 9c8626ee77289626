using System.Reflection;
using System.Security.Cryptography;
using Npgsql;

namespace OrleansRaft.Hosting.Storage;

/// <summary>One file of infra/postgres/migrations, as embedded in this assembly.</summary>
/// <param name="Name">The file name without <c>.sql</c>; migrations apply in the order of their names.</param>
/// <param name="Sql">The file's text.</param>
/// <param name="Sha256">The lower-case hex SHA-256 of the file's bytes, as <c>sha256sum</c> prints it.</param>
public sealed record PostgresMigration(string Name, string Sql, string Sha256);

/// <summary>
/// Applies the project's PostgreSQL schema: the files of infra/postgres/migrations, embedded at build time.
/// Does exactly what infra/postgres/apply-schema.sh does, so either may run first, and both may run at once.
/// </summary>
/// <remarks>
/// Appliers serialize on one session-level advisory lock. Each migration runs in its own transaction with
/// its row in <c>raft_schema_migrations</c>. An applied migration is skipped when its checksum matches and
/// is an error when it does not: applied migrations are never edited.
/// </remarks>
public static class PostgresSchema
{
    /// <summary>The advisory lock key: the bytes of "ORLNRAFT" read as a big-endian 64-bit integer.</summary>
    public const long AdvisoryLockKey = 0x4F524C4E52414654;

    private const string ResourcePrefix = "OrleansRaft.Migrations.";

    private const string CreateMigrationsTable =
        "CREATE TABLE IF NOT EXISTS raft_schema_migrations (name varchar(200) PRIMARY KEY, sha256 char(64) NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())";

    /// <summary>The embedded migrations, in the order they apply.</summary>
    public static IReadOnlyList<PostgresMigration> Migrations { get; } = LoadEmbedded();

    /// <summary>Applies the migrations not yet applied, and returns their names.</summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return await ApplyAsync(connection, cancellationToken);
    }

    /// <summary>Applies the migrations not yet applied over an open connection, and returns their names.</summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await Execute(connection, "SET client_min_messages = warning", cancellationToken);
        await Execute(connection, $"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        IReadOnlyList<string> done;
        try
        {
            done = await ApplyLocked(connection, cancellationToken);
        }
        catch
        {
            // The failure is what the caller needs to see. When it broke the connection the unlock fails too,
            // and loses nothing: a session-level advisory lock ends with its session.
            try
            {
                await Execute(connection, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
            }
            catch (Exception)
            {
            }

            throw;
        }

        await Execute(connection, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        return done;
    }

    private static async Task<IReadOnlyList<string>> ApplyLocked(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await Execute(connection, CreateMigrationsTable, cancellationToken);
        var applied = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var select = new NpgsqlCommand("SELECT name, sha256 FROM raft_schema_migrations", connection))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied[reader.GetString(0)] = reader.GetString(1);
            }
        }

        var done = new List<string>();
        foreach (var migration in Migrations)
        {
            if (applied.TryGetValue(migration.Name, out var sha256))
            {
                if (!string.Equals(sha256, migration.Sha256, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(
                        $"Migration {migration.Name} was changed after it was applied (applied {sha256}, now {migration.Sha256}); add a new migration instead.");
                }

                continue;
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var apply = new NpgsqlCommand(migration.Sql, connection, transaction))
            {
                await apply.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = new NpgsqlCommand("INSERT INTO raft_schema_migrations (name, sha256) VALUES ($1, $2)", connection, transaction))
            {
                record.Parameters.Add(new NpgsqlParameter { Value = migration.Name });
                record.Parameters.Add(new NpgsqlParameter { Value = migration.Sha256 });
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            done.Add(migration.Name);
        }

        return done;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<PostgresMigration> LoadEmbedded()
    {
        var assembly = typeof(PostgresSchema).Assembly;
        var migrations = new List<PostgresMigration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource) ?? throw new InvalidOperationException($"Missing resource {resource}.");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var name = Path.GetFileNameWithoutExtension(resource[ResourcePrefix.Length..]);
            migrations.Add(new PostgresMigration(name, System.Text.Encoding.UTF8.GetString(bytes), Convert.ToHexStringLower(SHA256.HashData(bytes))));
        }

        migrations.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return migrations;
    }
}
