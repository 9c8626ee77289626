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

    [Fact]
    public async Task The_directory_pages_groups_in_ordinal_order_with_cursors_to_the_next_and_previous_pages()
    {
        string[] ids = ["page-1", "page-2", "page-3", "page-4", "page-5"];
        foreach (var id in ids.Reverse())
        {
            await Raft.CreateGroupAsync(id, 1);
        }

        var all = await Directory.ListGroupsAsync();

        // Nothing sorts between "page-" and "page-1" but ids of this test.
        var first = await Directory.ListGroupsAsync("page-", 2);
        Assert.Equal(["page-1", "page-2"], first.Groups);
        Assert.Equal(Array.IndexOf(all, "page-1"), first.Offset);
        Assert.Equal(all.Length, first.Total);
        Assert.Equal("page-2", first.Next);

        var second = await Directory.ListGroupsAsync(first.Next, 2);
        Assert.Equal(["page-3", "page-4"], second.Groups);
        Assert.Equal(first.Offset + 2, second.Offset);
        Assert.NotNull(second.Previous);
        Assert.Equal(first.Groups, (await Directory.ListGroupsAsync(second.Previous, 2)).Groups);

        // A cursor need not be listed: an id deleted since still places the page.
        Assert.Equal(["page-4", "page-5"], (await Directory.ListGroupsAsync("page-3~", 2)).Groups);

        var whole = await Directory.ListGroupsAsync(null, IRaftDirectoryGrain.MaxPageSize);
        Assert.Equal(all, whole.Groups);
        Assert.Null(whole.Next);
        Assert.Null(whole.Previous);
        Assert.Equal(0, whole.Offset);
        var last = await Directory.ListGroupsAsync(all[^2], 5);
        Assert.Equal([all[^1]], last.Groups);
        Assert.Null(last.Next);

        var statuses = await Directory.GetStatusAsync("page-", 3);
        Assert.Equal(["page-1", "page-2", "page-3"], statuses.Page.Groups);
        Assert.Equal(["page-1", "page-2", "page-3"], statuses.Groups.Select(g => g.GroupId));
        Assert.All(statuses.Groups, g => Assert.Equal([1UL], g.Members.Select(m => m.MemberId)));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Directory.ListGroupsAsync(null, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Directory.GetStatusAsync(null, IRaftDirectoryGrain.MaxPageSize + 1));
    }
}
