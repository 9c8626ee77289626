using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansRaft.Hosting.Tests;

/// <summary>
/// Membership changes through the admin API, on a 5-silo cluster under a steady proposal load: nothing acknowledged
/// is lost, and commits never stop for longer than about an election. Each test runs on its own cluster.
/// </summary>
public sealed class MembershipChangeTests(ITestOutputHelper output)
{
    public const string Token = RaftCluster.AdminToken;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>Generous: an election takes under a second here; a change that stalled commits would take many.</summary>
    private static readonly TimeSpan GapBound = TimeSpan.FromSeconds(5);

    public static Task<RaftCluster> StartClusterAsync(int silos) =>
        RaftCluster.StartAsync(silos, configure: o =>
        {
            // Small, so that new members catch up from a snapshot rather than from the whole log.
            o.SnapshotEveryEntries = 300;
        });

    [Fact]
    public async Task Growing_a_group_from_three_to_five_members_under_load_loses_nothing()
    {
        await using var raft = await StartClusterAsync(5);
        const string group = "grow";
        var members = await raft.CreateGroupAsync(group, 3);
        await raft.WaitForLeaderAsync(group, members, Bound);
        await using var load = new ProposalLoad(raft, group, members, Bound, proposers: 4);
        await load.WaitForProgressAsync(400, Bound);

        await raft.Group(group).AddMemberAsync(4, Token);
        await raft.Group(group).AddMemberAsync(5, Token);
        await load.WaitForProgressAsync(100, Bound);
        var acknowledged = await load.StopAsync();
        output.WriteLine($"{acknowledged.Count} proposals acknowledged; longest gap between two: {load.LongestGap.TotalMilliseconds:F0} ms.");

        var membership = await raft.Group(group).ListMembersAsync(Token);
        Assert.NotNull(membership);
        Assert.Equal([1UL, 2, 3, 4, 5], membership.Voters);
        Assert.Empty(membership.Learners);
        Assert.All(membership.Members, m => Assert.NotNull(m.Status));
        Assert.Equal(5, membership.Members.Select(m => m.Status!.Silo).Distinct().Count());

        // Every member compacted its log before the new ones joined (400 entries, a snapshot every 300 with the
        // members' phases), so the new members caught up from a snapshot.
        foreach (var joined in new[] { 4UL, 5UL })
        {
            Assert.Contains(raft.Logs.Raft, l => l.Message.StartsWith($"Raft member {group}/{joined} installed a snapshot", StringComparison.Ordinal));
        }

        await AssertNothingLostAsync(raft, group, [1, 2, 3, 4, 5], acknowledged);
        Assert.True(load.LongestGap < GapBound, $"commits stopped for {load.LongestGap}");
    }

    [Fact]
    public async Task Shrinking_a_group_from_five_to_three_members_by_removing_two_leaders_loses_nothing()
    {
        await using var raft = await StartClusterAsync(5);
        const string group = "shrink";
        var members = await raft.CreateGroupAsync(group, 5);
        var leader = await raft.WaitForLeaderAsync(group, members, Bound);
        await using var load = new ProposalLoad(raft, group, members, Bound, proposers: 4);
        await load.WaitForProgressAsync(400, Bound);

        await raft.Group(group).RemoveMemberAsync(leader.MemberId, Token);
        await load.WaitForProgressAsync(100, Bound);
        var remaining = members.Where(m => m != leader.MemberId).ToArray();
        var next = await raft.WaitForLeaderAsync(group, remaining, Bound);
        // Then the new leader too: two hand-overs in a row.
        await raft.Group(group).RemoveMemberAsync(next.MemberId, Token);
        await load.WaitForProgressAsync(100, Bound);
        var acknowledged = await load.StopAsync();
        output.WriteLine($"{acknowledged.Count} proposals acknowledged; longest gap between two: {load.LongestGap.TotalMilliseconds:F0} ms.");

        var survivors = remaining.Where(m => m != next.MemberId).ToArray();
        var membership = await raft.Group(group).ListMembersAsync(Token);
        Assert.NotNull(membership);
        Assert.Equal(survivors, membership.Voters);
        Assert.Empty(membership.Learners);
        foreach (var removed in new[] { leader.MemberId, next.MemberId })
        {
            // Its state is gone and it can no longer start.
            await Assert.ThrowsAsync<RaftMemberNotFoundException>(() => raft.Member(group, removed).GetStatusAsync());
        }

        await AssertNothingLostAsync(raft, group, survivors, acknowledged);
        Assert.True(load.LongestGap < GapBound, $"commits stopped for {load.LongestGap}");
    }

    [Fact]
    public async Task Replacing_the_member_on_a_killed_silo_under_load_loses_nothing()
    {
        await using var raft = await StartClusterAsync(5);
        const string group = "replace";
        var members = await raft.CreateGroupAsync(group, 3);
        var leader = await raft.WaitForLeaderAsync(group, members, Bound);
        var statuses = await raft.ResolveMembersAsync(group, members, Bound);
        var victim = statuses.First(s => s.MemberId != leader.MemberId);
        var survivors = members.Where(m => m != victim.MemberId).ToArray();
        await using var load = new ProposalLoad(raft, group, survivors, Bound, proposers: 4);
        await load.WaitForProgressAsync(400, Bound);

        await raft.KillSilosAsync([raft.SiloOf(victim)]);
        await load.WaitForProgressAsync(100, Bound);
        await raft.Group(group).ReplaceMemberAsync(victim.MemberId, 4, Token);
        await load.WaitForProgressAsync(100, Bound);
        var acknowledged = await load.StopAsync();
        output.WriteLine($"{acknowledged.Count} proposals acknowledged; longest gap between two: {load.LongestGap.TotalMilliseconds:F0} ms.");

        ulong[] now = [.. survivors.Append(4UL).Order()];
        var membership = await raft.Group(group).ListMembersAsync(Token);
        Assert.NotNull(membership);
        Assert.Equal(now, membership.Voters);
        Assert.Empty(membership.Learners);
        var placed = await raft.ResolveMembersAsync(group, now, Bound);
        Assert.Equal(3, placed.Select(s => s.Silo).Distinct().Count());
        Assert.DoesNotContain(victim.Silo, placed.Select(s => s.Silo));
        await AssertNothingLostAsync(raft, group, now, acknowledged);
        Assert.True(load.LongestGap < GapBound, $"commits stopped for {load.LongestGap}");
    }

    /// <summary>Every acknowledged command is applied, once converged, by every member.</summary>
    internal static async Task AssertNothingLostAsync(RaftCluster raft, string group, ulong[] members, List<(int Command, RaftProposeResult Result)> acknowledged)
    {
        var applied = await raft.WaitForConvergenceAsync(group, members, acknowledged.Count, Bound);
        var commands = applied.Select(e => BitConverter.ToInt32(e.Data.Span)).ToHashSet();
        var missing = acknowledged.Where(a => !commands.Contains(a.Command)).Select(a => a.Command).ToList();
        Assert.Empty(missing);
        var byIndex = applied.ToDictionary(e => e.Index);
        Assert.All(acknowledged, a => Assert.Equal(a.Command, BitConverter.ToInt32(byIndex[a.Result.Index].Data.Span)));
    }
}
