using System.Data.Common;
using Npgsql;

namespace OrleansRaft.Hosting.Storage;

/// <summary>
/// The Npgsql settings that the log's write path relies on, added to a connection string that does not set them itself.
/// </summary>
/// <remarks>
/// <para>
/// The ADO.NET providers open a pooled connection for every statement, so every write paid for a pool reset
/// (<c>DISCARD ALL</c>) and for parsing and planning the same few queries again. With <c>No Reset On Close</c> a pooled
/// connection keeps its session as it is; with automatic preparation the provider's statements are parsed once per
/// physical connection and then only bound and executed.
/// </para>
/// <para>
/// Skipping the reset is safe for connections used only by the providers: their queries leave no session state behind
/// (no <c>SET</c>, temporary tables, advisory locks or <c>LISTEN</c>), and Npgsql still rolls back an open transaction
/// when a connection returns to the pool. Code that does leave session state behind, such as
/// <see cref="PostgresSchema"/> with its session-level advisory lock, keeps the caller's connection string.
/// </para>
/// <para>A key the caller set, to any value and under any of Npgsql's spellings, is left as the caller set it.</para>
/// </remarks>
public static class PostgresConnectionTuning
{
    /// <summary>At most this many automatically prepared statements per physical connection: well above the providers' queries.</summary>
    public const int MaxAutoPrepare = 32;

    /// <summary>A statement is prepared on its second use: preparing costs no extra round trip, and the queries repeat forever.</summary>
    public const int AutoPrepareMinUsages = 2;

    /// <summary>Returns <paramref name="connectionString"/> with the write path's settings added where it does not set them.</summary>
    public static string Apply(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var keys = given.Keys.Cast<string>().Select(Normalize).ToHashSet(StringComparer.Ordinal);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!keys.Contains(Normalize(nameof(NpgsqlConnectionStringBuilder.NoResetOnClose))))
        {
            builder.NoResetOnClose = true;
        }

        if (!keys.Contains(Normalize(nameof(NpgsqlConnectionStringBuilder.MaxAutoPrepare))))
        {
            builder.MaxAutoPrepare = MaxAutoPrepare;
        }

        if (!keys.Contains(Normalize(nameof(NpgsqlConnectionStringBuilder.AutoPrepareMinUsages))))
        {
            builder.AutoPrepareMinUsages = AutoPrepareMinUsages;
        }

        return builder.ConnectionString;
    }

    /// <summary>A key as Npgsql matches it: case and spaces do not matter ("No Reset On Close" is "NoResetOnClose").</summary>
    private static string Normalize(string key) => key.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
}
