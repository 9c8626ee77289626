using OrleansRaft.Hosting.Storage;

namespace OrleansRaft.Benchmarks;

/// <summary>
/// The grain storage provider the cluster benchmarks keep their logs in: OrleansRaft's batching provider by
/// default, or ADO.NET with <c>ORLEANSRAFT_BENCH_STORAGE=adonet</c>, to compare the two.
/// </summary>
internal static class BenchStorage
{
    public const string Variable = "ORLEANSRAFT_BENCH_STORAGE";

    /// <summary>"batching" or "adonet".</summary>
    public static string Kind { get; } = Environment.GetEnvironmentVariable(Variable)?.Trim().ToLowerInvariant() switch
    {
        null or "" or "batching" => "batching",
        "adonet" => "adonet",
        var other => throw new ArgumentException($"{Variable} must be 'batching' or 'adonet', not '{other}'."),
    };

    public static ISiloBuilder Add(ISiloBuilder silo, string name, string connectionString) => Kind == "adonet"
        ? silo.AddRaftPostgresStorage(name, connectionString)
        : silo.AddRaftPostgresBatchingStorage(name, connectionString);
}
