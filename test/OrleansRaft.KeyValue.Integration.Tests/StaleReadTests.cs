using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>Serializable reads say how stale they may be, and the client keeps to the caller's bound.</summary>
[Collection(SharedKvClusterCollection.Name)]
public sealed class StaleReadTests(SharedKvCluster shared)
{
    private KvCluster Kv => shared.Cluster;

    [Fact]
    public async Task A_follower_reports_its_commit_index_and_how_long_it_has_not_heard_from_the_leader()
    {
        var members = await Kv.CreateGroupAsync("kv-stale-follower");
        var leader = await Kv.WaitForLeaderAsync("kv-stale-follower", members);
        await using var client = await Kv.ConnectAsync("kv-stale-follower");
        var put = await client.PutAsync("/stale/a", "1");
        var follower = new KvMember(Kv.Member("kv-stale-follower", members.First(m => m != leader.MemberId)));

        KvReply? reply = null;
        await KvCluster.WaitUntilAsync(async () =>
        {
            reply = await follower.ReadLocalAsync(new RangeRequest(KvBytes.From("/stale/a")));
            return reply.Result!.Revision >= put.Revision && reply.LeaderSilence < KvCluster.Bound;
        }, "the follower to apply the put and hear from its leader");
        var fromLeader = await new KvMember(Kv.Member("kv-stale-follower", leader.MemberId)).ReadLocalAsync(new RangeRequest(KvBytes.From("/stale/a")));

        Assert.Equal(RaftRequestStatus.Ok, reply!.Status);
        Assert.True(reply.Index <= reply.Commit, $"applied {reply.Index} exceeds commit {reply.Commit}");
        Assert.True(reply.LeaderSilence > TimeSpan.Zero, $"a follower's silence is {reply.LeaderSilence}");
        Assert.Equal(TimeSpan.Zero, fromLeader.LeaderSilence);
        Assert.True(fromLeader.Index <= fromLeader.Commit, $"applied {fromLeader.Index} exceeds commit {fromLeader.Commit}");
    }

    [Fact]
    public async Task A_serializable_read_bounded_to_no_leader_silence_is_served_by_the_leader()
    {
        var members = await Kv.CreateGroupAsync("kv-stale-bound");
        var leader = await Kv.WaitForLeaderAsync("kv-stale-bound", members);
        await using var client = await Kv.ConnectAsync("kv-stale-bound");
        var put = await client.PutAsync("/stale/b", "2");
        var bounded = KvCallOptions.Serializable with { MaxLeaderSilence = TimeSpan.Zero };

        // Round-robin starts at a random member: several reads meet followers, which the bound turns away.
        var reads = new List<KvRead<RangeResult>>();
        for (var i = 0; i < 2 * members.Length; i++)
        {
            reads.Add(await client.ReadAsync<RangeResult>(new RangeRequest(KvBytes.From("/stale/b")), bounded));
        }

        Assert.All(reads, read =>
        {
            Assert.Equal(ReadConsistency.Serializable, read.Consistency);
            Assert.Equal(leader.MemberId, read.MemberId);
            Assert.Equal(TimeSpan.Zero, read.LeaderSilence);
            Assert.True(read.Index <= read.Commit, $"applied {read.Index} exceeds commit {read.Commit}");
            Assert.True(read.Result.Revision >= put.Revision);
        });
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            client.ReadAsync<RangeResult>(new RangeRequest(KvBytes.From("/stale/b")), KvCallOptions.Serializable with { MaxLeaderSilence = TimeSpan.FromSeconds(-1) }));
    }
}
