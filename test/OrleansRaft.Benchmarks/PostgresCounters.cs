using System.Globalization;
using Npgsql;

namespace OrleansRaft.Benchmarks;

/// <summary>
/// A benchmark's PostgreSQL server: the CPU time of its processes (from /proc), and from its statistics views the
/// database's commits and rows written and the server's WAL flushes. Also compiled into bench/EtcdBench.
/// </summary>
/// <remarks>
/// A backend reports its counters when it idles, at most once a second and up to ten seconds after a burst: read them
/// after a quiet pause.
/// </remarks>
internal sealed record PostgresCounters(double CpuSeconds, long Commits, long Inserted, long Updated, long Deleted, long WalSyncs)
{
    public long Rows => Inserted + Updated + Deleted;

    public static async Task<PostgresCounters> ReadAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT current_setting('data_directory'), d.xact_commit, d.tup_inserted, d.tup_updated, d.tup_deleted, w.wal_sync
            FROM pg_stat_database d, pg_stat_wal w
            WHERE d.datname = current_database()
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new PostgresCounters(
            ServerCpuSeconds(reader.GetString(0)), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
    }

    public static PostgresCounters operator -(PostgresCounters after, PostgresCounters before) => new(
        after.CpuSeconds - before.CpuSeconds, after.Commits - before.Commits, after.Inserted - before.Inserted, after.Updated - before.Updated,
        after.Deleted - before.Deleted, after.WalSyncs - before.WalSyncs);

    /// <summary>User and system time of the postmaster named in the data directory and of its children.</summary>
    private static double ServerCpuSeconds(string dataDirectory)
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        var ticks = 0L;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (pid == postmaster || parent == postmaster)
                {
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        // Linux reports these times in clock ticks of 1/100 s (USER_HZ).
        return ticks / 100.0;
    }
}
