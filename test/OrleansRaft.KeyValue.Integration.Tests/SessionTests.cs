using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>Client sessions through the member grains: a retried command applies once (Raft thesis §6.3).</summary>
[Collection(SharedKvClusterCollection.Name)]
public sealed class SessionTests(SharedKvCluster shared)
{
    private KvCluster Kv => shared.Cluster;

    [Fact]
    public async Task A_command_proposed_twice_with_the_same_session_and_sequence_applies_once()
    {
        var members = await Kv.CreateGroupAsync("kv-session-retry");
        var leader = new KvMember(Kv.Member("kv-session-retry", (await Kv.WaitForLeaderAsync("kv-session-retry", members)).MemberId));
        var opened = await leader.ProposeAsync(new KvCommand(new OpenSessionRequest()));
        var session = Assert.IsType<SessionOpenedResult>(opened.Result).SessionId;
        var command = KvCodec.EncodeCommand(new KvCommand(new PutRequest(KvBytes.From("once"), KvBytes.From("v")), new SessionStamp(session, 1, 1)));

        var first = await leader.ProposeAsync(command);
        var retry = await leader.ProposeAsync(command);
        var read = await leader.ReadAsync(new RangeRequest(KvBytes.From("once")));

        Assert.Equal(RaftRequestStatus.Ok, first.Status);
        Assert.Equal(RaftRequestStatus.Ok, retry.Status);
        Assert.True(retry.Index > first.Index);
        Assert.Equal(KvCodec.EncodeResult(first.Result!), KvCodec.EncodeResult(retry.Result!));
        var entry = Assert.Single(Assert.IsType<RangeResult>(read.Result).Kvs);
        Assert.Equal(1, entry.Version);
        Assert.Equal(first.Result!.Revision, entry.ModRevision);
        Assert.Equal(first.Result.Revision, read.Result!.Revision);
    }

    [Fact]
    public async Task A_client_whose_session_expired_opens_a_new_one_and_its_command_applies_once()
    {
        var members = await Kv.CreateGroupAsync("kv-session-expired");
        await using var client = await Kv.ConnectAsync("kv-session-expired");
        await client.PutAsync("a", "1");
        var old = client.SessionId;
        var leader = new KvMember(Kv.Member("kv-session-expired", client.Leader));
        Assert.IsType<SessionClosedResult>((await leader.ProposeAsync(new KvCommand(new CloseSessionRequest(old)))).Result);

        var put = await client.PutAsync("a", "2");

        Assert.NotEqual(old, client.SessionId);
        Assert.NotEqual(0UL, client.SessionId);
        var entry = await client.GetAsync("a");
        Assert.Equal(2, entry!.Version);
        Assert.Equal(put.Revision, entry.ModRevision);
        Assert.Contains(client.Leader, members);
    }
}
