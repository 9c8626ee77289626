using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

/// <summary>Only the admin API, with the configured token, changes a membership; members ignore non-members.</summary>
public sealed class MembershipSecurityTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public void Without_a_configured_token_every_admin_call_is_refused_with_how_to_configure_one()
    {
        var refused = Assert.Throws<RaftAdminAuthenticationException>(() => RaftAdminToken.Verify(new OrleansRaftOptions(), "anything"));
        Assert.Contains("OrleansRaftOptions.AdminToken", refused.Message);
        Assert.Contains("Raft:AdminToken", refused.Message);
        RaftAdminToken.Verify(new OrleansRaftOptions { AdminToken = "secret" }, "secret");
    }

    [Fact]
    public async Task A_wrong_or_missing_token_changes_nothing_a_non_member_is_ignored_and_refusals_are_typed()
    {
        await using var raft = await MembershipChangeTests.StartClusterAsync(3);
        const string group = "secured";
        var members = await raft.CreateGroupAsync(group, 3);
        var leader = await raft.WaitForLeaderAsync(group, members, Bound);

        var missing = await Assert.ThrowsAsync<RaftAdminAuthenticationException>(() => raft.Group(group).AddMemberAsync(4, null));
        Assert.Contains("require the admin token", missing.Message);
        var wrong = await Assert.ThrowsAsync<RaftAdminAuthenticationException>(() => raft.Group(group).AddMemberAsync(4, "not-the-token"));
        Assert.Equal("The admin token is wrong.", wrong.Message);
        Assert.DoesNotContain(MembershipChangeTests.Token, wrong.Message);
        await Assert.ThrowsAsync<RaftAdminAuthenticationException>(() => raft.Group(group).RemoveMemberAsync(leader.MemberId, "not-the-token"));
        await Assert.ThrowsAsync<RaftAdminAuthenticationException>(() => raft.Group(group).ListMembersAsync(""));
        await Assert.ThrowsAsync<RaftAdminAuthenticationException>(
            () => raft.Member(group, leader.MemberId).ChangeMembershipAsync(RaftMembershipChangeType.AddLearner, 4, "not-the-token"));

        var membership = await raft.Group(group).ListMembersAsync(MembershipChangeTests.Token);
        Assert.NotNull(membership);
        Assert.Equal(members, membership.Voters);
        Assert.Empty(membership.Learners);
        Assert.Equal(3, membership.Members.Length);
        var failure = await Assert.ThrowsAsync<RaftMembershipException>(() => raft.Group(group).RemoveMemberAsync(9, MembershipChangeTests.Token));
        Assert.Equal(RaftMembershipFailure.UnknownMember, failure.Reason);

        // A vote request from a stranger, in a far later term: a member would otherwise step down to that term.
        var follower = members.First(m => m != leader.MemberId);
        var before = await raft.Member(group, follower).GetStatusAsync();
        await raft.Member(group, follower).DeliverAsync(
        [
            new RaftMessageData { Type = (byte)Core.MessageType.Vote, From = 99, To = follower, Term = before.Term + 100, Index = 1_000_000, LogTerm = before.Term + 100 },
        ]);
        await RaftCluster.WaitUntilAsync(
            () => Task.FromResult(raft.Logs.Raft.Any(l => l.Message.Contains($"{group}/{follower} ignores Raft messages from 99", StringComparison.Ordinal))),
            Bound, "the stranger's messages to be logged as ignored");
        var after = await raft.Member(group, follower).GetStatusAsync();
        Assert.Equal(before.Term, after.Term);
        Assert.Equal(leader.MemberId, after.Leader);
        await raft.ProposeAsync(group, members, BitConverter.GetBytes(1), Bound, leader.MemberId);

        // Typed refusals: a member twice, the last voter.
        var already = await Assert.ThrowsAsync<RaftMembershipException>(() => raft.Group(group).PromoteAsync(follower, MembershipChangeTests.Token));
        Assert.Equal(RaftMembershipFailure.UnknownMember, already.Reason);
        foreach (var other in members.Where(m => m != leader.MemberId))
        {
            await raft.Group(group).RemoveMemberAsync(other, MembershipChangeTests.Token);
        }

        var last = await Assert.ThrowsAsync<RaftMembershipException>(() => raft.Group(group).RemoveMemberAsync(leader.MemberId, MembershipChangeTests.Token));
        Assert.Equal(RaftMembershipFailure.LastVoter, last.Reason);
        var alone = await raft.Group(group).ListMembersAsync(MembershipChangeTests.Token);
        Assert.Equal([leader.MemberId], alone!.Voters);
    }
}
