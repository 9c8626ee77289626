using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Groups;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

/// <summary>
/// A quiet member writes nothing, so it would never meet the fence that a later instance of the member (a second
/// activation, while Orleans' directory converges) puts on its log. Before it answers from what it knows, it checks.
/// </summary>
public sealed class QuietClaimTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_quiet_member_whose_log_another_instance_claimed_stops_answering_for_it_and_the_group_goes_on()
    {
        await using var raft = await RaftCluster.StartAsync(3, configure: o => o.LeaderBalanceInterval = null);
        const string group = "quiet-claim";
        var members = await raft.CreateGroupAsync(group, 3);
        var leader = await raft.WaitForLeaderAsync(group, members, Bound);
        await raft.ProposeRangeAsync(group, members, 0, 5, concurrency: 1, Bound, leader.MemberId);
        var quiet = await raft.WaitUntilQuietAsync(group, members, Bound);
        leader = quiet.Single(s => s.Role == RaftMemberRole.Leader);
        var follower = quiet.First(s => s.Role == RaftMemberRole.Follower);

        // Another instance of the leader and of a follower loads their logs, as a second activation of each would.
        await ClaimAsync(raft, group, leader);
        await ClaimAsync(raft, group, follower);

        // Within an election timeout neither reports what it knew: the leader's status and the follower's serializable
        // read are refused with the answer callers retry, and the fenced activations make way for new ones.
        await WaitUntilRefusedAsync(() => raft.Member(group, leader.MemberId).GetStatusAsync(), "the fenced leader's status");
        await WaitUntilRefusedAsync(() => raft.Member(group, follower.MemberId).ReadLocalAsync(ReadOnlyMemory<byte>.Empty), "the fenced follower's read");

        // New activations load the logs again, and the group takes a command and a linearizable read.
        await raft.ProposeRangeAsync(group, members, 5, 6, concurrency: 1, Bound);
        var read = await raft.ReadAsync(group, members, Bound);
        Assert.True(read.IsOk);
        var applied = await raft.WaitForConvergenceAsync(group, members, atLeast: 6, Bound);
        Assert.Equal(6, applied.Count);
    }

    /// <summary>Loads the log of <paramref name="member"/> from its silo's storage, which claims it.</summary>
    private static async Task ClaimAsync(RaftCluster raft, string group, RaftMemberStatus member)
    {
        var services = raft.SiloOf(member).SiloHost.Services;
        var options = services.GetRequiredService<IOptions<OrleansRaftOptions>>().Value;
        var (record, _) = await RaftGroupRecords.ReadAsync(services.GetRequiredKeyedService<IGrainStorage>(options.GroupStorage), group);
        var key = RaftMemberKey.Parse(RaftMemberKey.Format(group, member.MemberId));
        var store = new GrainStorageRaftLogStore(services.GetRequiredKeyedService<IGrainStorage>(options.StorageProviderName), record!.StorageKeyOf(key));
        await store.LoadAsync();
    }

    private static Task WaitUntilRefusedAsync(Func<Task> call, string what) => RaftCluster.WaitUntilAsync(async () =>
    {
        try
        {
            await call();
            return false;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }, TimeSpan.FromSeconds(5), $"{what} to be refused");
}
