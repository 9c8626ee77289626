using OrleansRaft.Core;

namespace OrleansRaft.Simulation.Tests;

/// <summary>
/// The simulator must catch known protocol bugs. Each test switches one on and requires a failing seed, naming
/// the right property, within a bounded number of seeds.
/// </summary>
public sealed class InjectedBugTests
{
    [Fact]
    public void AMemberThatVotesTwiceInATermBreaksElectionSafety()
    {
        var (_, result) = FirstFailure(InjectedBugs.VoteTwiceInTerm, nodes: 3, maxSeeds: 100);

        Assert.True(result is not null, "no seed out of 100 caught a member voting twice in a term");
        Assert.Equal("Election Safety", result.Property);
    }

    [Fact]
    public void ALeaderThatCommitsAnOlderTermByCountingBreaksLeaderCompleteness()
    {
        var (_, result) = FirstFailure(InjectedBugs.CommitOldTermByCounting, nodes: 3, maxSeeds: 1000);

        Assert.True(result is not null, "no seed out of 1000 caught a leader committing an older term's entry by counting replicas");
        Assert.Contains(result.Property, new[] { "Leader Completeness", "Committed entry lost", "State Machine Safety" });
    }

    [Fact]
    public void OverlappingConfigurationChangesBreakLeaderCompleteness()
    {
        SimulationResult? failure = null;
        for (long seed = 1; seed <= 30 && failure is null; seed++)
        {
            var result = new Simulation(new SimulationConfig(seed, 3, FaultMode.All) { Membership = true, Bugs = InjectedBugs.OverlappingConfigurationChanges }).Run();
            failure = result.Passed ? null : result;
        }

        Assert.True(failure is not null, "no seed out of 30 caught configuration changes that overlap");
        Assert.Contains(failure.Property, new[] { "Leader Completeness", "Election Safety", "Committed entry lost", "State Machine Safety" });
    }

    [Fact]
    public void ReadsServedWithoutReadIndexBreakLinearizability()
    {
        SimulationResult? failure = null;
        for (long seed = 1; seed <= 20 && failure is null; seed++)
        {
            var result = new Simulation(new SimulationConfig(seed, 3, FaultMode.All) { ServeReadsLocally = true }).Run();
            failure = result.Passed ? null : result;
        }

        Assert.True(failure is not null, "no seed out of 20 caught stale reads");
        Assert.Equal("Linearizability", failure.Property);
    }

    [Fact]
    public void AHostThatNeverWakesQuietFollowersLeavesAGroupWithoutALeader()
    {
        SimulationResult? failure = null;
        for (long seed = 1; seed <= 30 && failure is null; seed++)
        {
            var result = new Simulation(new SimulationConfig(seed, 3, FaultMode.All) { Quiescence = true, IgnoreLivenessSignals = true }).Run();
            failure = result.Passed ? null : result;
        }

        Assert.True(failure is not null, "no seed out of 30 caught a host that never wakes the followers of a dead quiet leader");
        Assert.Equal("Liveness", failure.Property);
    }

    [Fact]
    public void AFailingSeedReplaysToTheSameViolation()
    {
        var (seed, first) = FirstFailure(InjectedBugs.VoteTwiceInTerm, nodes: 3, maxSeeds: 100);
        Assert.NotNull(first);

        var again = new Simulation(new SimulationConfig(seed, 3, FaultMode.All) { Bugs = InjectedBugs.VoteTwiceInTerm }).Run();

        Assert.Equal(first, again);
    }

    private static (long Seed, SimulationResult? Result) FirstFailure(InjectedBugs bug, int nodes, int maxSeeds)
    {
        for (long seed = 1; seed <= maxSeeds; seed++)
        {
            var result = new Simulation(new SimulationConfig(seed, nodes, FaultMode.All) { Bugs = bug }).Run();
            if (!result.Passed)
            {
                return (seed, result);
            }
        }

        return (0, null);
    }
}
