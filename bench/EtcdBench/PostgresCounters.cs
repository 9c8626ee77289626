using System.Globalization;
using Npgsql;

namespace OrleansRaft.EtcdBench;

/// <summary>
/// PostgreSQL's cumulative counters that a put moves: commits, rows written and WAL flushes from its statistics views
/// (the database's and the server's), and the CPU time of the server's processes on this machine, read from /proc.
/// </summary>
internal sealed record PostgresCounters(long Commits, long Inserted, long Updated, long Deleted, long WalSyncs, double CpuMilliseconds)
{
    public static async Task<PostgresCounters> ReadAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT d.xact_commit, d.tup_inserted, d.tup_updated, d.tup_deleted, w.wal_sync
            FROM pg_stat_database d, pg_stat_wal w
            WHERE d.datname = current_database()
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new PostgresCounters(
            reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), ServerCpuMilliseconds());
    }

    public static PostgresCounters operator -(PostgresCounters after, PostgresCounters before) => new(
        after.Commits - before.Commits, after.Inserted - before.Inserted, after.Updated - before.Updated, after.Deleted - before.Deleted,
        after.WalSyncs - before.WalSyncs, after.CpuMilliseconds - before.CpuMilliseconds);

    /// <summary>User plus system time of every process named <c>postgres</c>: the server and its backends, which the pools keep open.</summary>
    private static double ServerCpuMilliseconds()
    {
        var ticks = 0L;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            // pid (comm) state ... utime stime are fields 14 and 15; comm may hold spaces, so count from its closing parenthesis.
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open || stat[(open + 1)..close] != "postgres")
            {
                continue;
            }

            var fields = stat[(close + 2)..].Split(' ');
            ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }

        // Linux reports these times in clock ticks of 1/100 s (USER_HZ).
        return ticks * 10.0;
    }
}
