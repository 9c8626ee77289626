using OrleansRaft.Hosting.Configuration;

namespace OrleansRaft.Benchmarks;

/// <summary>
/// The grain storage provider the cluster benchmarks keep their logs in: OrleansRaft's batching provider by
/// default, ADO.NET with <c>ORLEANSRAFT_BENCH_STORAGE=adonet</c>, or Orleans' memory provider with <c>memory</c>
/// (what is left without a database at all, one silo's memory for all three); and whether members
/// coalesce their messages between silos (<c>ORLEANSRAFT_BENCH_COALESCE=0</c> turns it off).
/// </summary>
internal static class BenchStorage
{
    public const string Variable = "ORLEANSRAFT_BENCH_STORAGE";

    /// <summary>"batching", "adonet" or "memory".</summary>
    public static string Kind { get; } = Environment.GetEnvironmentVariable(Variable)?.Trim().ToLowerInvariant() switch
    {
        null or "" or "batching" => "batching",
        "adonet" => "adonet",
        "memory" => "memory",
        var other => throw new ArgumentException($"{Variable} must be 'batching', 'adonet' or 'memory', not '{other}'."),
    };

    public const string CoalesceVariable = "ORLEANSRAFT_BENCH_COALESCE";

    /// <summary>What <see cref="OrleansRaft.Hosting.Configuration.OrleansRaftOptions.CoalesceMessages"/> is set to.</summary>
    public static bool Coalesce { get; } = Environment.GetEnvironmentVariable(CoalesceVariable)?.Trim() switch
    {
        null or "" or "1" => true,
        "0" => false,
        var other => throw new ArgumentException($"{CoalesceVariable} must be '0' or '1', not '{other}'."),
    };

    /// <summary>"PostgreSQL (batching provider), coalesced messages" and the like, for a benchmark's header line.</summary>
    public static string Describe => $"{(Kind == "memory" ? "Orleans' memory storage" : $"PostgreSQL ({Kind} provider)")}, {(Coalesce ? "coalesced" : "direct")} messages";

    public static ISiloBuilder Add(ISiloBuilder silo, string name, string connectionString) => Kind switch
    {
        "adonet" => silo.AddRaftPostgresStorage(name, connectionString),
        "memory" => silo.AddMemoryGrainStorage(name),
        _ => silo.AddRaftPostgresBatchingStorage(name, connectionString),
    };

    /// <summary>
    /// The storage provider <paramref name="name"/> and OrleansRaft on it, with the benchmarks' admin token and transport,
    /// then whatever <paramref name="configure"/> sets.
    /// </summary>
    public static ISiloBuilder AddRaft(ISiloBuilder silo, string name, string connectionString, Action<OrleansRaftOptions>? configure = null)
    {
        Add(silo, name, connectionString);
        return silo.AddOrleansRaft(o =>
        {
            o.StorageProviderName = name;
            o.AdminToken = BenchAdminToken.Value;
            o.CoalesceMessages = Coalesce;
            o.AllowVolatileStorage = Kind == "memory";
            configure?.Invoke(o);
        });
    }
}
