using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

/// <summary>The leader balancer: leaders piled on one silo spread over every silo that runs members of their groups.</summary>
public sealed class LeaderBalanceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private const int Groups = 6;

    [Fact]
    public async Task Leaders_piled_on_one_silo_spread_until_each_silo_leads_its_share()
    {
        await using var raft = await RaftCluster.StartAsync(3, configure: o => o.LeaderBalanceInterval = TimeSpan.FromSeconds(4));
        var groups = Enumerable.Range(0, Groups).Select(i => $"balance-{i}").ToArray();
        foreach (var group in groups)
        {
            var members = await raft.CreateGroupAsync(group, 3);
            await raft.WaitForLeaderAsync(group, members, Bound);
        }

        // Every group's leadership to its member on the first silo: that silo leads all of them.
        var first = raft.Cluster.Silos[0].SiloAddress.ToString();
        foreach (var group in groups)
        {
            var status = await raft.Group(group).GetStatusAsync();
            var target = status!.Members.Single(m => m.Status?.Silo == first).MemberId;
            await RaftCluster.WaitUntilAsync(async () =>
            {
                var now = await raft.Group(group).GetStatusAsync();
                if (now!.Leader == target)
                {
                    return true;
                }

                if (now.Leader != 0)
                {
                    await raft.Member(group, now.Leader).TransferLeadershipAsync(target);
                }

                return false;
            }, Bound, $"{group} led from {first}");
        }

        // Balanced: each of the three silos leads two groups (the share is the total over the silos, rounded up).
        await RaftCluster.WaitUntilAsync(async () =>
        {
            var perSilo = await LeadersPerSiloAsync(raft, groups);
            return perSilo.Count == 3 && perSilo.Values.All(count => count == Groups / 3);
        }, Bound, "every silo leading its share");

        // Nothing was lost on the way: every group still takes writes.
        foreach (var group in groups)
        {
            await raft.ProposeAsync(group, [1, 2, 3], BitConverter.GetBytes(1), Bound);
        }
    }

    private static async Task<Dictionary<string, int>> LeadersPerSiloAsync(RaftCluster raft, string[] groups)
    {
        var statuses = await Task.WhenAll(groups.Select(g => raft.Group(g).GetStatusAsync()));
        return statuses
            .Select(s => s?.Members.FirstOrDefault(m => m.MemberId == s.Leader)?.Status?.Silo)
            .OfType<string>()
            .GroupBy(silo => silo)
            .ToDictionary(g => g.Key, g => g.Count());
    }
}
