using Microsoft.Extensions.DependencyInjection;
using OrleansRaft.Abstractions;
using OrleansRaft.Core;
using OrleansRaft.Hosting.Quiescence;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

/// <summary>
/// A quiet follower is listed under the silo of its current leader, which is what the silo's liveness watch wakes it
/// by when that silo dies; a leader's Quiesce delivered late must not move the listing.
/// </summary>
public sealed class QuietListingTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_stale_quiesce_from_an_earlier_leader_leaves_the_follower_listed_under_the_current_one()
    {
        // Leaders stay where the test puts them.
        await using var raft = await RaftCluster.StartAsync(3, configure: o => o.LeaderBalanceInterval = null);
        const string group = "quiet-listing";
        var members = await raft.CreateGroupAsync(group, 3);
        var first = await raft.WaitForLeaderAsync(group, members, Bound);
        await raft.ResolveMembersAsync(group, members, Bound);
        await raft.WaitUntilQuietAsync(group, members, Bound);

        // A second leader, on another silo, quiets the group in a later term.
        var second = members.First(m => m != first.MemberId);
        Assert.True(await raft.Member(group, first.MemberId).TransferLeadershipAsync(second));
        var current = await raft.WaitForLeaderAsync(group, members, Bound, notThis: first.MemberId);
        Assert.True(current.Term > first.Term);
        var statuses = await raft.WaitUntilQuietAsync(group, members, Bound);
        var follower = statuses.Single(s => s.MemberId != current.MemberId && s.MemberId != first.MemberId);
        var listing = raft.SiloOf(follower).SiloHost.Services.GetRequiredService<RaftQuietFollowers>();
        var key = RaftMemberKey.Format(group, follower.MemberId);
        var currentSilo = raft.SiloOf(current).SiloAddress;
        Assert.Equal(currentSilo, listing.ListedUnder(key));

        // The first leader's Quiesce of its own term, as if it arrived only now, with the first leader's silo.
        var stale = new RaftMessageData
        {
            Type = (byte)MessageType.Quiesce,
            From = first.MemberId,
            To = follower.MemberId,
            Term = first.Term,
            Index = first.LastIndex,
            Commit = first.LastIndex,
        };
        await raft.Member(group, follower.MemberId).QuiesceAsync(stale, raft.SiloOf(first).SiloAddress);

        var after = (await raft.Member(group, follower.MemberId).GetStatusAsync());
        Assert.True(after.Quiescent);
        Assert.Equal(current.MemberId, after.Leader);
        Assert.Equal(currentSilo, listing.ListedUnder(key));
    }
}
