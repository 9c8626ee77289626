namespace OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

/// <summary>
/// Suites that start their own cluster and kill its silos. They run alone, after the parallel suites: elections and
/// Orleans' failure detection are timed, and on a small machine the load of other suites would stretch them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SiloFaultCollection
{
    public const string Name = "silo faults";
}
