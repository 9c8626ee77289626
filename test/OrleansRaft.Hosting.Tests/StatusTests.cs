using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

[Collection(SharedClusterCollection.Name)]
public sealed class StatusTests(SharedRaftClusters shared) : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private RaftCluster Raft => shared[3];

    private IRaftDirectoryGrain Directory => Raft.Client.GetGrain<IRaftDirectoryGrain>(IRaftDirectoryGrain.Key);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => shared.DeleteCreatedGroupsAsync();

    [Fact]
    public async Task The_directory_lists_a_group_once_created_and_no_longer_once_deleted()
    {
        await Raft.CreateGroupAsync("status-listed", 3);
        await Raft.Group("status-listed").CreateAsync(new RaftGroupSpec([1, 2, 3], SequenceStateMachine.TypeName), RaftCluster.AdminToken);

        Assert.Single(await Directory.ListGroupsAsync(), g => g == "status-listed");

        Assert.True(await Raft.Group("status-listed").DeleteAsync(RaftCluster.AdminToken));
        Assert.DoesNotContain("status-listed", await Directory.ListGroupsAsync());
        Assert.Null(await Raft.Group("status-listed").GetStatusAsync());
    }

    [Fact]
    public async Task A_groups_status_shows_each_member_its_silo_role_term_and_lag()
    {
        var members = await Raft.CreateGroupAsync("status-shown", 3);
        var leader = await Raft.WaitForLeaderAsync("status-shown", members, Bound);
        var proposed = await Raft.ProposeAsync("status-shown", members, BitConverter.GetBytes(7), Bound, leader.MemberId);

        // Followers apply the entry once they learn its commit: wait for a picture where every member caught up.
        RaftGroupStatus? status = null;
        await RaftCluster.WaitUntilAsync(async () =>
        {
            status = await Raft.Group("status-shown").GetStatusAsync();
            return status!.Members.All(m => m.Status is { } s && s.Applied >= proposed.Index && s.Leader == leader.MemberId);
        }, Bound, "every member to apply the proposal and follow the leader");

        Assert.Equal("status-shown", status!.GroupId);
        Assert.Equal(SequenceStateMachine.TypeName, status.StateMachineType);
        Assert.Equal(leader.MemberId, status.Leader);
        Assert.Equal(leader.Term, status.Term);
        Assert.Equal(members, status.Members.Select(m => m.MemberId));
        Assert.All(status.Members, m => Assert.Null(m.Error));
        Assert.Single(status.Members, m => m.Status!.Role == RaftMemberRole.Leader && m.MemberId == leader.MemberId);
        Assert.Equal(3, status.Members.Select(m => m.Status!.Silo).Distinct().Count());
        var commit = status.Members.Max(m => m.Status!.Commit);
        Assert.All(status.Members, m => Assert.Equal(commit - m.Status!.Applied, m.Lag));

        var all = (await Directory.GetStatusAsync(null, IRaftDirectoryGrain.MaxPageSize)).Groups;
        Assert.Contains(all, g => g.GroupId == "status-shown" && g.Members.Length == 3);
        Assert.Equal(all.Select(g => g.GroupId).Order(StringComparer.Ordinal), all.Select(g => g.GroupId));
    }
}
