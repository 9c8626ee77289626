using Npgsql;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.Hosting.Tests.Infrastructure;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Hosting.Tests;

/// <summary>
/// Creating and deleting a group are admin calls, and deleting one leaves none of its rows in PostgreSQL: not its
/// members' logs, snapshots, hard states, manifests or fences, nor its record.
/// </summary>
public sealed class GroupDeletionTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Deleting_a_group_removes_every_row_of_its_members_and_its_record_and_no_other_groups_rows()
    {
        var group = $"deleted-{Guid.NewGuid():N}";
        var neighbour = $"kept-{Guid.NewGuid():N}";
        var connectionString = TestPostgres.ConnectionString;
        Action<ISiloBuilder> storage = silo => silo.AddRaftPostgresStorage(RaftCluster.StorageName, connectionString);

        // Snapshots every 20 entries: the members compact, so fences of earlier claims lie below their first live batch.
        await using var raft = await RaftCluster.StartAsync(3, storage, o => o.SnapshotEveryEntries = 20, $"deletion-{Guid.NewGuid():N}");
        var members = await raft.CreateGroupAsync(group, 3);
        var kept = await raft.CreateGroupAsync(neighbour, 3);
        var leader = await raft.WaitForLeaderAsync(group, members, Bound);
        await raft.ProposeRangeAsync(group, members, 0, 100, concurrency: 4, Bound, leader.MemberId);
        var neighbourLeader = await raft.WaitForLeaderAsync(neighbour, kept, Bound);
        await raft.ProposeAsync(neighbour, kept, BitConverter.GetBytes(1), Bound, neighbourLeader.MemberId);

        var before = await RowsAsync(connectionString, group);
        Assert.True(before.Members >= 3 * 4, $"expected each member's manifest, hard state, snapshot and batches; found {before.Members} rows");
        Assert.True(before.Snapshots > 0, "expected snapshot chunks after 100 entries with a snapshot every 20");
        Assert.Equal(1, before.Record);
        var neighbourBefore = await RowsAsync(connectionString, neighbour);

        Assert.True(await raft.Group(group).DeleteAsync(RaftCluster.AdminToken));

        var after = await RowsAsync(connectionString, group);
        Assert.Equal((0, 0, 0), (after.Members, after.Snapshots, after.Record));
        Assert.Equal(neighbourBefore, await RowsAsync(connectionString, neighbour));
        Assert.DoesNotContain(group, await raft.Client.GetGrain<IRaftDirectoryGrain>(IRaftDirectoryGrain.Key).ListGroupsAsync());
        await raft.ProposeAsync(neighbour, kept, BitConverter.GetBytes(2), Bound, neighbourLeader.MemberId);
    }

    [Fact]
    public async Task Creating_or_deleting_a_group_without_the_admin_token_is_refused_with_a_typed_error_and_changes_nothing()
    {
        await using var raft = await RaftCluster.StartAsync(3);
        var group = raft.Group("guarded");

        var missing = await Assert.ThrowsAsync<RaftAdminAuthenticationException>(
            () => group.CreateAsync(new RaftGroupSpec([1, 2, 3], SequenceStateMachine.TypeName), null));
        Assert.Contains("require the admin token", missing.Message);
        var wrong = await Assert.ThrowsAsync<RaftAdminAuthenticationException>(
            () => group.CreateAsync(new RaftGroupSpec([1, 2, 3], SequenceStateMachine.TypeName), "not-the-token"));
        Assert.Equal("The admin token is wrong.", wrong.Message);
        Assert.Null(await group.GetAsync());
        Assert.Empty(await raft.Client.GetGrain<IRaftDirectoryGrain>(IRaftDirectoryGrain.Key).ListGroupsAsync());

        var members = await raft.CreateGroupAsync("guarded", 3);
        var leader = await raft.WaitForLeaderAsync("guarded", members, Bound);
        await Assert.ThrowsAsync<RaftAdminAuthenticationException>(() => group.DeleteAsync(null));
        await Assert.ThrowsAsync<RaftAdminAuthenticationException>(() => group.DeleteAsync("not-the-token"));
        await Assert.ThrowsAsync<RaftAdminAuthenticationException>(() => raft.Member("guarded", leader.MemberId).DestroyAsync("not-the-token"));

        Assert.Equal(members, (await group.GetAsync())!.Members);
        await raft.ProposeAsync("guarded", members, BitConverter.GetBytes(1), Bound, leader.MemberId);
        Assert.True(await group.DeleteAsync(RaftCluster.AdminToken));
    }

    [Fact]
    public async Task Without_an_admin_token_on_the_silos_no_group_can_be_created()
    {
        await using var raft = await RaftCluster.StartAsync(1, configure: o => o.AdminToken = null);

        var refused = await Assert.ThrowsAsync<RaftAdminAuthenticationException>(
            () => raft.Group("untokened").CreateAsync(new RaftGroupSpec([1], SequenceStateMachine.TypeName), "anything"));
        Assert.StartsWith("Group and membership administration is disabled", refused.Message);
        Assert.Null(await raft.Group("untokened").GetAsync());
    }

    /// <summary>The rows of <paramref name="group"/>: its members' records, their snapshot chunks among them, and its record.</summary>
    private static async Task<(long Members, long Snapshots, long Record)> RowsAsync(string connectionString, string group)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT count(*) FILTER (WHERE grainidextensionstring LIKE @members),
                   count(*) FILTER (WHERE grainidextensionstring LIKE @members AND graintypestring = @snapshot),
                   count(*) FILTER (WHERE grainidextensionstring = @group AND graintypestring = 'raft-group')
            FROM orleansstorage
            """, connection);
        command.Parameters.AddWithValue("members", group + "/%");
        command.Parameters.AddWithValue("group", group);
        command.Parameters.AddWithValue("snapshot", GrainStorageRaftLogStore.SnapshotStateName);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}
