using OrleansRaft.TestSupport;

namespace OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

/// <summary>Where a <see cref="KvCluster"/> keeps the members' logs, hard state and snapshots.</summary>
public enum KvStorage
{
    /// <summary>A <see cref="OrleansRaft.Testing.RaftTestStorage"/> held by the test process: fast, and it outlives a killed silo.</summary>
    Process,

    /// <summary>OrleansRaft's batching grain storage on the test process's <see cref="TestPostgres"/> server, as a production silo has it.</summary>
    Postgres,
}

/// <summary>The storage of clusters that do not choose one.</summary>
public static class KvStorageDefault
{
    /// <summary>Set it to <c>process</c> or <c>postgres</c>; unset, the suites run on PostgreSQL.</summary>
    public const string EnvironmentVariable = "ORLEANSRAFT_KV_STORAGE";

    public static KvStorage Value { get; } = Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));

    private static KvStorage Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "postgres" => KvStorage.Postgres,
        "process" => KvStorage.Process,
        _ => throw new InvalidOperationException($"{EnvironmentVariable} is '{value}'; it must be 'process' or 'postgres'."),
    };
}
