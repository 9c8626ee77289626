using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

/// <summary>Under a steady proposal load, a minority of silos is killed again and again; each test runs on its own cluster.</summary>
public sealed class MinorityChurnTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private const int Rounds = 3;

    private const int ProgressPerRound = 20;

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public async Task Killing_a_minority_repeatedly_under_load_keeps_every_acknowledged_write_and_the_members_converge(int size)
    {
        await using var raft = await RaftCluster.StartAsync(size);
        const string group = "churn";
        var members = await raft.CreateGroupAsync(group, size);
        await raft.WaitForLeaderAsync(group, members, Bound);
        await using var load = new ProposalLoad(raft, group, members, Bound, proposers: 4);

        var killedInFirstRound = 0;
        for (var round = 0; round < Rounds; round++)
        {
            await load.WaitForProgressAsync(ProgressPerRound, Bound);
            var leader = await raft.WaitForLeaderAsync(group, members, Bound);
            var statuses = await raft.ResolveMembersAsync(group, members, Bound);
            var (silos, doomed) = MinorityAround(leader, statuses, size);
            if (round == 0)
            {
                killedInFirstRound = doomed;
            }

            await raft.KillSilosAsync(silos.Select(raft.SiloOf));
            foreach (var _ in silos)
            {
                await raft.StartSiloAsync(Bound);
            }
        }

        await load.WaitForProgressAsync(ProgressPerRound, Bound);
        var acknowledged = await load.StopAsync();
        var applied = await raft.WaitForConvergenceAsync(group, members, acknowledged.Count, Bound);

        // The first round finds the members on distinct silos, so it kills a full minority of them at once.
        Assert.Equal((size - 1) / 2, killedInFirstRound);
        // Each acknowledged command sits at the index its answer named, on every member.
        var byIndex = applied.ToDictionary(e => e.Index, e => BitConverter.ToInt32(e.Data.Span));
        Assert.All(acknowledged, a => Assert.Equal(a.Command, byIndex.GetValueOrDefault(a.Result.Index, -1)));
    }

    /// <summary>
    /// Silos to kill at once, one status per silo, and how many members they host: the leader's silo first, then the
    /// others by member id, each taken while the members on the chosen silos stay a minority. A member whose silo died
    /// is placed at once on a surviving silo and stays there, so members come to share silos. Once all share one silo,
    /// no silo hosts a minority: that silo goes, and its members come back from storage on the others.
    /// </summary>
    private static (List<RaftMemberStatus> Silos, int Members) MinorityAround(RaftMemberStatus leader, RaftMemberStatus[] statuses, int size)
    {
        var minority = (size - 1) / 2;
        var membersOn = statuses.GroupBy(s => s.Silo).ToDictionary(g => g.Key, g => g.Count());
        var chosen = new List<RaftMemberStatus>();
        var doomed = 0;
        foreach (var status in statuses.OrderBy(s => s.MemberId == leader.MemberId ? 0 : 1).ThenBy(s => s.MemberId).DistinctBy(s => s.Silo))
        {
            if (doomed + membersOn[status.Silo] <= minority)
            {
                chosen.Add(status);
                doomed += membersOn[status.Silo];
            }
        }

        if (chosen.Count == 0)
        {
            return ([statuses[0]], size);
        }

        return (chosen, doomed);
    }
}
