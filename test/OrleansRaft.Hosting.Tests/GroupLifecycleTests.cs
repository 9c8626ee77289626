using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

[Collection(SharedClusterCollection.Name)]
public sealed class GroupLifecycleTests(SharedRaftCluster shared)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private RaftCluster Raft => shared.Raft;

    [Fact]
    public async Task A_created_group_elects_one_leader_with_members_on_distinct_silos()
    {
        var members = await Raft.CreateGroupAsync("lifecycle-elect", 3);

        var leader = await Raft.WaitForLeaderAsync("lifecycle-elect", members, Bound);

        var statuses = await Raft.StatusesAsync("lifecycle-elect", members);
        Assert.All(statuses, s => Assert.Equal(leader.MemberId, s!.Leader));
        Assert.Equal(3, statuses.Select(s => s!.Silo).Distinct().Count());
        var info = await Raft.Group("lifecycle-elect").GetAsync();
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
            () => Raft.Group("lifecycle-twice").CreateAsync(new RaftGroupSpec([1, 2], SequenceStateMachine.TypeName)));
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

        Assert.True(await Raft.Group("lifecycle-delete").DeleteAsync());

        Assert.Null(await Raft.Group("lifecycle-delete").GetAsync());
        // What stays per member: the manifest as a tombstone, and the empty fence records of earlier claims.
        var left = Raft.SharedStorage!.Records("lifecycle-delete/");
        Assert.Equal(3, left.Count(r => r.Key.StartsWith("raft-manifest:")));
        Assert.All(left.Where(r => !r.Key.StartsWith("raft-manifest:")), r => Assert.True(r.Value is LogBatchRecord { IsFence: true }, r.Key));
        Assert.Equal(0, Raft.SharedStorage.CountRecords("lifecycle-delete", "raft-group"));
        await Assert.ThrowsAsync<RaftGroupNotFoundException>(() => Raft.Member("lifecycle-delete", leader.MemberId).GetStatusAsync());
        Assert.False(await Raft.Group("lifecycle-delete").DeleteAsync());
    }

    [Fact]
    public async Task A_group_re_created_after_deletion_starts_from_an_empty_log()
    {
        var members = await Raft.CreateGroupAsync("lifecycle-again", 3);
        var leader = await Raft.WaitForLeaderAsync("lifecycle-again", members, Bound);
        await Raft.ProposeAsync("lifecycle-again", members, [7], Bound, leader.MemberId);
        await Raft.Group("lifecycle-again").DeleteAsync();

        members = await Raft.CreateGroupAsync("lifecycle-again", 3);
        leader = await Raft.WaitForLeaderAsync("lifecycle-again", members, Bound);
        var result = await Raft.ProposeAsync("lifecycle-again", members, [8], Bound, leader.MemberId);

        var applied = await Raft.AppliedAsync("lifecycle-again", leader.MemberId);
        Assert.Equal([8], applied.Select(e => e.Data.ToArray()[0]));
        Assert.Equal(1L, BitConverter.ToInt64(result.Result.Span));
    }
}
