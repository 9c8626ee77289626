using OrleansRaft.Core;

namespace OrleansRaft.Simulation.Tests;

/// <summary>Short sweeps of the simulator: every seed must keep every safety property and recover.</summary>
public sealed class SweepTests
{
    [Theory]
    [InlineData(3, FaultMode.None, 1, 40)]
    [InlineData(3, FaultMode.Network, 1000, 60)]
    [InlineData(3, FaultMode.Crash, 2000, 60)]
    [InlineData(3, FaultMode.All, 3000, 150)]
    [InlineData(5, FaultMode.All, 4000, 60)]
    public void EverySeedKeepsEveryProperty(int nodes, FaultMode faults, long start, int seeds)
    {
        var failures = new List<string>();
        for (var seed = start; seed < start + seeds; seed++)
        {
            var result = new Simulation(new SimulationConfig(seed, nodes, faults)).Run();
            if (!result.Passed)
            {
                failures.Add($"seed {seed}: {result.Property}: {result.Detail}");
            }
        }

        Assert.Empty(failures);
    }

    [Theory]
    [InlineData(3, 5000, 80)]
    [InlineData(5, 6000, 40)]
    public void EverySeedKeepsEveryPropertyWhileTheMembershipChanges(int nodes, long start, int seeds)
    {
        var failures = new List<string>();
        for (var seed = start; seed < start + seeds; seed++)
        {
            var result = new Simulation(new SimulationConfig(seed, nodes, FaultMode.All) { Membership = true }).Run();
            if (!result.Passed)
            {
                failures.Add($"seed {seed}: {result.Property}: {result.Detail}");
            }
        }

        Assert.Empty(failures);
    }

    [Theory]
    [InlineData(3, false, 7000, 100)]
    [InlineData(5, false, 8000, 40)]
    [InlineData(3, true, 9000, 60)]
    public void EverySeedKeepsEveryPropertyWhileIdleGroupsQuiesce(int nodes, bool membership, long start, int seeds)
    {
        var failures = new List<string>();
        for (var seed = start; seed < start + seeds; seed++)
        {
            var result = new Simulation(new SimulationConfig(seed, nodes, FaultMode.All) { Quiescence = true, Membership = membership }).Run();
            if (!result.Passed)
            {
                failures.Add($"seed {seed}: {result.Property}: {result.Detail}");
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void QuietGroupsGoQuietAndWakeUp()
    {
        var lines = new List<string>();
        var result = new Simulation(new SimulationConfig(1, 3, FaultMode.All) { Quiescence = true, Trace = lines.Add }).Run();

        Assert.True(result.Passed, result.Detail);
        Assert.Contains(lines, l => l.Contains("] quiesce ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" Quiesce term=", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("leader suspected", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(", the quiet leader", StringComparison.Ordinal));
    }

    [Fact]
    public void MembershipChangesAddPromoteAndRemoveTheLeader()
    {
        var lines = new List<string>();
        var result = new Simulation(new SimulationConfig(7, 3, FaultMode.All) { Membership = true, Trace = lines.Add }).Run();

        Assert.True(result.Passed, result.Detail);
        Assert.Contains(lines, l => l.Contains("membership AddLearner", StringComparison.Ordinal) && l.Contains(": Accepted", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("membership PromoteLearner", StringComparison.Ordinal) && l.Contains(": Accepted", StringComparison.Ordinal));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"membership RemoveMember (\d+) at \1: Accepted"));
        Assert.Contains(lines, l => l.Contains("retire ", StringComparison.Ordinal));
    }

    [Fact]
    public void ASeedReplaysBitForBit()
    {
        var config = new SimulationConfig(Seed: 4242, Nodes: 5, Faults: FaultMode.All);
        var first = new Simulation(config).Run();
        var second = new Simulation(config).Run();

        Assert.True(first.Passed, first.Detail);
        Assert.Equal(first, second);
        Assert.True(first.Delivered > 1000, $"only {first.Delivered} messages were delivered");
        Assert.True(first.Committed > 50, $"only {first.Committed} entries were committed");
    }

    [Fact]
    public void DifferentSeedsExploreDifferentRuns()
    {
        var hashes = Enumerable.Range(1, 20)
            .Select(seed => new Simulation(new SimulationConfig(seed, 3, FaultMode.All)).Run().TraceHash)
            .ToHashSet();

        Assert.Equal(20, hashes.Count);
    }

    [Fact]
    public void TheWorkloadCompletesOperationsOfEveryKind()
    {
        var simulation = new Simulation(new SimulationConfig(Seed: 7, Nodes: 3, Faults: FaultMode.None));
        var result = simulation.Run();

        Assert.True(result.Passed, result.Detail);
        foreach (var kind in Enum.GetValues<OperationKind>())
        {
            Assert.Contains(simulation.History, op => op.Kind == kind && op.ReturnTime is not null);
        }
    }
}
