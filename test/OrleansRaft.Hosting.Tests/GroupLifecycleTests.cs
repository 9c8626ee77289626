using Microsoft.Extensions.Logging;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

[Collection(SharedClusterCollection.Name)]
public sealed class GroupLifecycleTests(SharedRaftClusters shared) : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private RaftCluster Raft => shared[3];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => shared.DeleteCreatedGroupsAsync();

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public async Task A_created_group_elects_one_leader_that_every_member_follows_with_members_on_distinct_silos(int size)
    {
        var raft = shared[size];
        var members = await raft.CreateGroupAsync("lifecycle-elect", size);

        var leader = await raft.WaitForLeaderAsync("lifecycle-elect", members, Bound);

        // A quorum agreed on the leader; the others learn of it from its first heartbeat.
        RaftMemberStatus?[] statuses = [];
        await RaftCluster.WaitUntilAsync(async () =>
        {
            statuses = await raft.StatusesAsync("lifecycle-elect", members);
            return statuses.All(s => s is not null && s.Leader == leader.MemberId);
        }, Bound, "every member to follow the leader");
        Assert.Single(statuses, s => s!.Role == RaftMemberRole.Leader);
        Assert.All(statuses, s => Assert.Equal(leader.Term, s!.Term));
        Assert.Equal(size, statuses.Select(s => s!.Silo).Distinct().Count());
        var info = await raft.Group("lifecycle-elect").GetAsync();
        Assert.Equal(members, info!.Members);
        Assert.Equal(SequenceStateMachine.TypeName, info.StateMachineType);
    }

    [Fact]
    public async Task A_member_of_a_group_never_created_refuses_with_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<RaftGroupNotFoundException>(() => Raft.Member("lifecycle-never-created", 1).GetStatusAsync());

        Assert.Equal("lifecycle-never-created", error.GroupId);
        Assert.Null(await Raft.Group("lifecycle-never-created").GetAsync());
        Assert.Equal(0, Raft.SharedStorage!.CountRecords("lifecycle-never-created/", "raft-manifest", "raft-log", "raft-hardstate"));
    }

    [Fact]
    public async Task An_id_outside_the_membership_refuses_with_a_clear_error()
    {
        await Raft.CreateGroupAsync("lifecycle-outsider", 3);

        var error = await Assert.ThrowsAsync<RaftMemberNotFoundException>(() => Raft.Member("lifecycle-outsider", 4).ProposeAsync(new byte[] { 1 }));

        Assert.Equal(4UL, error.MemberId);
        Assert.Contains("not a member", error.Message);
    }

    [Fact]
    public async Task Creating_again_with_the_same_spec_is_idempotent_and_with_another_is_refused()
    {
        var members = await Raft.CreateGroupAsync("lifecycle-twice", 3);
        await Raft.CreateGroupAsync("lifecycle-twice", 3);

        await Assert.ThrowsAsync<RaftGroupExistsException>(
            () => Raft.Group("lifecycle-twice").CreateAsync(new RaftGroupSpec([1, 2], SequenceStateMachine.TypeName), RaftCluster.AdminToken));
        Assert.Equal(members, (await Raft.Group("lifecycle-twice").GetAsync())!.Members);
    }

    [Fact]
    public async Task Deleting_a_group_removes_its_log_and_its_members_stop()
    {
        var members = await Raft.CreateGroupAsync("lifecycle-delete", 3);
        var leader = await Raft.WaitForLeaderAsync("lifecycle-delete", members, Bound);
        for (var i = 0; i < 5; i++)
        {
            await Raft.ProposeAsync("lifecycle-delete", members, [(byte)i], Bound, leader.MemberId);
        }

        Assert.True(await Raft.Group("lifecycle-delete").DeleteAsync(RaftCluster.AdminToken));

        Assert.Null(await Raft.Group("lifecycle-delete").GetAsync());
        // The group's incarnation goes with it, so nothing of its members stays: no manifest, no fence.
        Assert.Empty(Raft.SharedStorage!.Records("lifecycle-delete/"));
        Assert.Equal(0, Raft.SharedStorage.CountRecords("lifecycle-delete", "raft-group"));
        await Assert.ThrowsAsync<RaftGroupNotFoundException>(() => Raft.Member("lifecycle-delete", leader.MemberId).GetStatusAsync());
        Assert.False(await Raft.Group("lifecycle-delete").DeleteAsync(RaftCluster.AdminToken));
    }

    [Fact]
    public async Task Deleting_a_group_logs_each_members_stop_at_information_and_no_error()
    {
        const string group = "lifecycle-delete-logs";
        var members = await Raft.CreateGroupAsync(group, 3);
        var leader = await Raft.WaitForLeaderAsync(group, members, Bound);
        await Raft.ProposeAsync(group, members, [1], Bound, leader.MemberId);

        Assert.True(await Raft.Group(group).DeleteAsync(RaftCluster.AdminToken));

        // Any category: a deleted member's stop is no failure for Orleans either.
        var logged = Raft.Logs.Entries.Where(l => l.Message.Contains($"{group}/", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(logged, l => l.Level >= LogLevel.Warning);
        foreach (var member in members)
        {
            var stopping = Assert.Single(logged, l => l.Message == $"Raft member {group}/{member} stops: its group is being deleted.");
            Assert.Equal(LogLevel.Information, stopping.Level);
            Assert.Single(logged, l => l.Message == $"Raft member {group}/{member} deleted its durable state.");
        }
    }

    [Fact]
    public async Task A_group_re_created_after_deletion_starts_from_an_empty_log()
    {
        var members = await Raft.CreateGroupAsync("lifecycle-again", 3);
        var leader = await Raft.WaitForLeaderAsync("lifecycle-again", members, Bound);
        await Raft.ProposeAsync("lifecycle-again", members, [7], Bound, leader.MemberId);
        await Raft.Group("lifecycle-again").DeleteAsync(RaftCluster.AdminToken);

        members = await Raft.CreateGroupAsync("lifecycle-again", 3);
        leader = await Raft.WaitForLeaderAsync("lifecycle-again", members, Bound);
        var result = await Raft.ProposeAsync("lifecycle-again", members, [8], Bound, leader.MemberId);

        var applied = await Raft.AppliedAsync("lifecycle-again", result.LeaderHint);
        Assert.Equal([8], applied.Select(e => e.Data.ToArray()[0]));
        Assert.Equal(1L, BitConverter.ToInt64(result.Result.Span));
    }
}
