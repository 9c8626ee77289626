using OrleansRaft.Abstractions;
using OrleansRaft.Host.Tests.Infrastructure;

namespace OrleansRaft.Host.Tests;

/// <summary><c>/leaders.json</c>: each silo lists the members that lead on it, and the lists follow a leader change.</summary>
[Collection(LocalClusterCollection.Name)]
public sealed class LeadersEndpointTests(LocalClusterFixture cluster)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Each_silo_lists_the_members_that_lead_on_it_and_the_lists_follow_a_transfer()
    {
        var silos = cluster.LiveSilos.ToArray();
        var before = await StatusReader.LeaderAsync(silos[0].StatusUrl, "kv", g => g.Members.Count(m => m.Role == "follower" && m.Error is null) >= 1);
        await AssertLedOnlyOnAsync(silos, before, $"kv/{before.Leader}");

        var target = before.Members.First(m => m.Role == "follower" && m.Error is null);
        var leader = cluster.Connection.Orleans.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format("kv", before.Leader));
        Assert.True(await leader.TransferLeadershipAsync(target.Id));
        var after = await StatusReader.LeaderAsync(silos[0].StatusUrl, "kv", g => g.Leader == target.Id);
        await AssertLedOnlyOnAsync(silos, after, $"kv/{target.Id}");
    }

    /// <summary>
    /// Waits until the silo that <paramref name="group"/>'s status names for its leader lists <paramref name="key"/>,
    /// with its own process id, and no other silo lists a leader of the group.
    /// </summary>
    private static async Task AssertLedOnlyOnAsync(SiloInfo[] silos, GroupJson group, string key)
    {
        var home = group.LeaderMember.Silo;
        await Wait.UntilAsync(async () =>
        {
            var lists = await Task.WhenAll(silos.Select(async s => (Silo: s, Report: await StatusReader.LeadersAsync(s.StatusUrl))));
            var leading = lists.Where(l => l.Report.Leaders.Any(k => k.StartsWith("kv/", StringComparison.Ordinal))).ToArray();
            return leading.Length == 1 && leading[0].Report.Silo == home && leading[0].Report.Leaders.Contains(key) &&
                leading[0].Report.Pid == leading[0].Silo.Pid && lists.All(l => l.Report.Members >= 1);
        }, Bound, $"only the silo {home} to list {key} among its leaders");
    }
}
