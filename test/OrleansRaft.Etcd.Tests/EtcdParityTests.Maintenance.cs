using System.Globalization;
using System.Text.Json.Nodes;
using OrleansRaft.Etcd.Tests.Infrastructure;

namespace OrleansRaft.Etcd.Tests;

public sealed partial class EtcdParityTests
{
    [Fact]
    public async Task Hashkv_is_the_same_on_every_endpoint_and_changes_with_a_write()
    {
        await fixture.LeaderStatusAsync();
        var transcripts = new List<string>();
        foreach (var endpoints in new[] { etcd.Endpoints, Ours })
        {
            var all = string.Join(",", endpoints);
            await Etcdctl.RunAsync(endpoints[0], "put /parity/hash/a 1");
            var first = await SettledHashAsync(all);
            await Etcdctl.RunAsync(endpoints[0], "put /parity/hash/b 2");
            var second = await SettledHashAsync(all);
            Assert.NotEqual(first.Hash, second.Hash);

            // A hash at an earlier revision does not change with later writes.
            var again = JsonNode.Parse((await Etcdctl.RunAsync(all, $"endpoint hashkv --rev={first.Revision.ToString(CultureInfo.InvariantCulture)} -w json")).Output)!.AsArray();
            Assert.All(again, e => Assert.Equal(first.Hash, (uint)e!["HashKV"]!["hash"]!));
            transcripts.Add(Normalise(again, static (path, _) => path switch
            {
                "Endpoint" or "HashKV.header.cluster_id" or "HashKV.header.member_id" or "HashKV.header.revision" or "HashKV.header.raft_term" or "HashKV.hash" or "HashKV.compact_revision" => $"<{path}>",
                _ => null,
            }));
        }

        Assert.Equal(transcripts[0], transcripts[1]);
    }

    [Fact]
    public async Task Move_leader_hands_leadership_to_the_member_named_and_refuses_as_etcd_does()
    {
        await fixture.LeaderStatusAsync();
        var transcripts = new List<string>();
        foreach (var endpoints in new[] { etcd.Endpoints, Ours })
        {
            var all = string.Join(",", endpoints);
            var before = await EndpointStatusAsync(endpoints);
            var statuses = JsonNode.Parse((await Etcdctl.RunAsync(all, "endpoint status -w json")).Output)!.AsArray();
            var leader = (ulong)statuses[0]!["Status"]!["leader"]!;
            var follower = Array.FindIndex(before.MemberIds, id => id != leader);
            var target = before.MemberIds[follower];

            var moved = await Etcdctl.RunAsync(all, $"move-leader {target:x}");
            Assert.Equal($"Leadership transferred from {leader:x} to {target:x}\n", moved.Output);
            await EtcdGatewayCluster.WaitUntilAsync(async () =>
                JsonNode.Parse((await Etcdctl.RunAsync(all, "endpoint status -w json")).Output)!.AsArray().All(s => (ulong)s!["Status"]!["leader"]! == target),
                "every endpoint to name the new leader");

            var notMember = await Etcdctl.RunUntilAsync(all, "move-leader 1234", null, null, Etcdctl.Bound);
            var notLeader = await Etcdctl.RunUntilAsync(endpoints[(follower + 1) % 3], $"move-leader {target:x}", null, null, Etcdctl.Bound);
            transcripts.Add(string.Join("\n",
                moved.Output.Replace($"{leader:x}", "<old>", StringComparison.Ordinal).Replace($"{target:x}", "<new>", StringComparison.Ordinal),
                $"{notMember.ExitCode} {LastLine(notMember.Error)}",
                $"{notLeader.ExitCode} {LastLine(notLeader.Error).Replace(endpoints[(follower + 1) % 3], "<endpoint>", StringComparison.Ordinal)}"));
        }

        Assert.Equal(transcripts[0], transcripts[1]);
        Assert.Contains("1 Error: etcdserver: bad leader transferee", transcripts[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alarm_list_and_disarm_answer_no_alarms_and_defrag_finishes_on_every_endpoint()
    {
        var transcripts = new List<string>();
        foreach (var endpoints in new[] { etcd.Endpoints, Ours })
        {
            var all = string.Join(",", endpoints);
            var text = string.Join("\n",
                (await Etcdctl.RunAsync(all, "alarm list")).Output,
                (await Etcdctl.RunAsync(all, "alarm disarm")).Output,
                (await Etcdctl.RunAsync(all, "defrag")).Output);
            for (var i = 0; i < endpoints.Count; i++)
            {
                text = text.Replace(endpoints[i], $"<endpoint {i}>", StringComparison.Ordinal);
            }

            transcripts.Add(text);
        }

        Assert.Equal(transcripts[0], transcripts[1]);
        Assert.Contains("Finished defragmenting etcd member[<endpoint 2>]", transcripts[1], StringComparison.Ordinal);
    }

    /// <summary>The hash every endpoint answers once they all answer the same one, and the revision it covers.</summary>
    private static async Task<(uint Hash, long Revision)> SettledHashAsync(string endpoints)
    {
        (uint, long) settled = default;
        await EtcdGatewayCluster.WaitUntilAsync(async () =>
        {
            var answers = JsonNode.Parse((await Etcdctl.RunAsync(endpoints, "endpoint hashkv -w json")).Output)!.AsArray();
            var hashes = answers.Select(a => ((uint)a!["HashKV"]!["hash"]!, (long)a["HashKV"]!["header"]!["revision"]!)).Distinct().ToList();
            // etcd answers -1 before its first compaction; other tests compact the gateway's group.
            Assert.Single(answers.Select(a => (long)a!["HashKV"]!["compact_revision"]!).Distinct());
            settled = hashes[0];
            return hashes.Count == 1;
        }, "every endpoint to hash the same history");
        return settled;
    }

    private static string LastLine(string text) => text.TrimEnd('\n').Split('\n')[^1];
}
