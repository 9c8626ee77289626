namespace OrleansRaft.Simulation.Tests;

/// <summary>Seeds that once failed. Each must pass for good; the reason says what broke.</summary>
public sealed class RegressionSeedTests
{
    [Theory]
    // The workload's client re-sent an operation after a stale proposal of an operation it had abandoned was
    // overwritten; the duplicate write surfaced as a stale read in the linearizability check.
    [InlineData(3085L, 3, FaultMode.All)]
    public void OnceFailingSeedPasses(long seed, int nodes, FaultMode faults)
    {
        var result = new Simulation(new SimulationConfig(seed, nodes, faults)).Run();

        Assert.True(result.Passed, $"{result.Property}: {result.Detail}");
    }

    [Theory]
    // A deposed leader unaware of newer changes led the simulator to delete a member of the committed membership.
    [InlineData(1596L, 3)]
    public void OnceFailingMembershipSeedPasses(long seed, int nodes)
    {
        var result = new Simulation(new SimulationConfig(seed, nodes, FaultMode.All) { Membership = true }).Run();

        Assert.True(result.Passed, $"{result.Property}: {result.Detail}");
    }
}
