namespace OrleansRaft.Benchmarks;

/// <summary>The admin token of the benchmarks' in-process silos, which create and delete their own groups.</summary>
internal static class BenchAdminToken
{
    public const string Value = "benchmark-admin-token";
}
