using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>
/// Key-value groups as a run-time resource through <see cref="RaftGroupAdmin"/>: created, used through
/// <see cref="KvClient"/>, described, listed and deleted while the cluster runs.
/// </summary>
[Collection(SharedKvClusterCollection.Name)]
public sealed class RunTimeGroupTests(SharedKvCluster shared)
{
    private KvCluster Kv => shared.Cluster;

    [Fact]
    public async Task A_group_created_at_run_time_serves_puts_and_gets_and_once_deleted_refuses_them_with_a_clear_error()
    {
        var admin = new RaftGroupAdmin(Kv.Client, KvCluster.AdminToken);
        const string group = "runtime-kv";

        var info = await admin.CreateKeyValueGroupAsync(group);
        Assert.Equal([1UL, 2, 3], info.Members);
        Assert.Equal(KeyValue.KvStateMachine.TypeName, info.StateMachineType);
        await using var kv = await KvClient.ConnectAsync(Kv.Client, group);
        var put = await kv.PutAsync("/runtime", "yes");
        Assert.Equal("yes", KvBytes.ToText((await kv.GetAsync("/runtime"))!.Value));

        // Describe: every member answers, one leads, and the leader's commit covers the put.
        RaftGroupStatus? status = null;
        await KvCluster.WaitUntilAsync(async () =>
        {
            status = await admin.DescribeAsync(group);
            return status!.Leader != 0 && status.Members.All(m => m.Status is { } s && s.Leader == status.Leader);
        }, "every member to follow one leader");
        Assert.Equal(group, status!.GroupId);
        Assert.Equal([1UL, 2, 3], status.Members.Select(m => m.MemberId));
        var leader = Assert.Single(status.Members, m => m.Status!.Role == RaftMemberRole.Leader);
        Assert.Equal(status.Leader, leader.MemberId);
        Assert.Equal(status.Term, leader.Status!.Term);
        Assert.True(leader.Status.Commit > 0);
        Assert.Contains(group, (await admin.ListAsync(after: "runtime-", limit: 10)).Groups);

        Assert.True(await admin.DeleteAsync(group));

        var refused = await Assert.ThrowsAsync<RaftGroupNotFoundException>(() => kv.PutAsync("/runtime", "again"));
        Assert.Equal(group, refused.GroupId);
        Assert.Contains($"The Raft group '{group}' does not exist", refused.Message);
        await Assert.ThrowsAsync<RaftGroupNotFoundException>(() => KvClient.ConnectAsync(Kv.Client, group));
        Assert.Null(await admin.DescribeAsync(group));
        Assert.DoesNotContain(group, (await admin.ListAsync(after: "runtime-", limit: 10)).Groups);
        Assert.False(await admin.DeleteAsync(group));
        Assert.True(put.Revision > 1);
    }

    [Fact]
    public async Task Creating_with_member_ids_or_a_count_and_listing_by_page_follow_the_directory()
    {
        var admin = new RaftGroupAdmin(Kv.Client, KvCluster.AdminToken);

        var one = await admin.CreateKeyValueGroupAsync("runtime-page-a", members: 1);
        var chosen = await admin.CreateKeyValueGroupAsync("runtime-page-b", [4, 7]);
        Assert.Equal([1UL], one.Members);
        Assert.Equal([4UL, 7], chosen.Members);

        var first = await admin.ListAsync(after: "runtime-page-", limit: 1);
        Assert.Equal(["runtime-page-a"], first.Groups);
        Assert.Equal("runtime-page-a", first.Next);
        var second = await admin.ListStatusAsync(after: first.Next, limit: 1);
        Assert.Equal(["runtime-page-b"], second.Page.Groups);
        Assert.Equal([4UL, 7], Assert.Single(second.Groups).Members.Select(m => m.MemberId));

        // Idempotent for the same members; refused for others.
        await admin.CreateKeyValueGroupAsync("runtime-page-b", [7, 4]);
        await Assert.ThrowsAsync<RaftGroupExistsException>(() => admin.CreateKeyValueGroupAsync("runtime-page-b", 3));

        Assert.True(await admin.DeleteAsync("runtime-page-a"));
        Assert.True(await admin.DeleteAsync("runtime-page-b"));
    }

    [Fact]
    public async Task An_admin_without_the_token_can_list_and_describe_but_its_creations_and_deletions_are_refused()
    {
        var reader = new RaftGroupAdmin(Kv.Client);
        var wrong = new RaftGroupAdmin(Kv.Client, "not-the-token");

        await Assert.ThrowsAsync<RaftAdminAuthenticationException>(() => reader.CreateKeyValueGroupAsync("runtime-refused"));
        var refused = await Assert.ThrowsAsync<RaftAdminAuthenticationException>(() => wrong.CreateKeyValueGroupAsync("runtime-refused"));
        Assert.Equal("The admin token is wrong.", refused.Message);
        Assert.Null(await reader.DescribeAsync("runtime-refused"));

        await new RaftGroupAdmin(Kv.Client, KvCluster.AdminToken).CreateKeyValueGroupAsync("runtime-refused", members: 1);
        await Assert.ThrowsAsync<RaftAdminAuthenticationException>(() => wrong.DeleteAsync("runtime-refused"));
        Assert.NotNull(await reader.DescribeAsync("runtime-refused"));
        Assert.Contains("runtime-refused", (await reader.ListAsync(after: "runtime-ref", limit: 1)).Groups);
        Assert.True(await new RaftGroupAdmin(Kv.Client, KvCluster.AdminToken).DeleteAsync("runtime-refused"));
    }
}
