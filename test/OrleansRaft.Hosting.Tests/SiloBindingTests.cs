using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

/// <summary>
/// Members bound to their silos (<c>BindMembersToSilos</c>, for logs in each silo's own database): a member whose silo
/// died is not activated elsewhere, callers are told its storage is unavailable, and the group goes on with the others.
/// </summary>
public sealed class SiloBindingTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_member_whose_silo_died_stays_unavailable_and_the_group_commits_with_the_other_two()
    {
        await using var cluster = await RaftCluster.StartAsync(3, configure: o => o.BindMembersToSilos = true);
        const string group = "bound";
        var members = await cluster.CreateGroupAsync(group, 3);
        var leader = await cluster.WaitForLeaderAsync(group, members, Bound);
        await cluster.ProposeAsync(group, members, BitConverter.GetBytes(1), Bound, leader.MemberId);
        var statuses = await cluster.ResolveMembersAsync(group, members, Bound);
        Assert.Equal(3, statuses.Select(s => s.Silo).Distinct().Count());

        // The leader's silo dies: its member must not come back on either of the other two.
        var victim = cluster.SiloOf(leader);
        await cluster.KillSilosAsync([victim]);
        var survivors = members.Where(m => m != leader.MemberId).ToArray();
        var next = await cluster.WaitForLeaderAsync(group, survivors, Bound);
        var after = await cluster.ProposeAsync(group, survivors, BitConverter.GetBytes(2), Bound, next.MemberId);
        Assert.Equal(RaftRequestStatus.Ok, after.Status);

        // Orleans declares the silo dead in a while; from then on placement refuses the member with a retryable error.
        await RaftCluster.WaitUntilAsync(async () =>
        {
            try
            {
                await cluster.Member(group, leader.MemberId).GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(5));
                return false;
            }
            catch (RaftStorageUnavailableException e)
            {
                Assert.Contains("which is not active", e.Message, StringComparison.Ordinal);
                return true;
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), $"member {leader.MemberId} to be refused while its silo is dead");

        var live = await cluster.StatusesAsync(group, members);
        Assert.Null(live[Array.IndexOf(members, leader.MemberId)]);
        Assert.All(live.Where(s => s is not null), s => Assert.NotEqual(victim.SiloAddress.ToString(), s!.Silo));
    }
}
