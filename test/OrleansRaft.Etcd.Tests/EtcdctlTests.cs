using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansRaft.Etcd.Tests.Infrastructure;

namespace OrleansRaft.Etcd.Tests;

/// <summary>etcd's own command-line client (Debian's etcdctl 3.4) against the gateway, unchanged.</summary>
[Collection(EtcdGatewayCollection.Name)]
public sealed partial class EtcdctlTests(EtcdGatewayCluster fixture)
{
    // etcdctl 3.4 sends an endpoint's scheme inside HTTP/2's :authority for per-endpoint commands (endpoint status),
    // which Kestrel refuses as an invalid host: endpoints are given as host:port, etcdctl's own default form.
    private readonly string _endpoint = new Uri(fixture.Endpoint).Authority;

    [Fact]
    public async Task Put_get_prefix_and_delete()
    {
        Assert.Equal("OK\n", (await Etcdctl.RunAsync(_endpoint, "put /ctl/kv/a one")).Output);
        Assert.Equal("OK\n", (await Etcdctl.RunAsync(_endpoint, "put /ctl/kv/b two")).Output);
        Assert.Equal("OK\n", (await Etcdctl.RunAsync(_endpoint, "put /ctl/kvz three")).Output);

        Assert.Equal("/ctl/kv/a\none\n", (await Etcdctl.RunAsync(_endpoint, "get /ctl/kv/a")).Output);
        Assert.Equal("/ctl/kv/a\none\n", (await Etcdctl.RunAsync(_endpoint, "get --consistency=s /ctl/kv/a")).Output);
        Assert.Equal("/ctl/kv/a\none\n/ctl/kv/b\ntwo\n", (await Etcdctl.RunAsync(_endpoint, "get --prefix /ctl/kv/")).Output);
        Assert.Equal("/ctl/kv/b\n/ctl/kv/a\n", (await Etcdctl.RunAsync(_endpoint, "get --prefix --keys-only --order=DESCEND /ctl/kv/")).Output.Replace("\n\n", "\n", StringComparison.Ordinal));
        using (var limited = JsonDocument.Parse((await Etcdctl.RunAsync(_endpoint, "get --prefix --limit=1 -w json /ctl/kv/")).Output))
        {
            Assert.Equal(2, limited.RootElement.GetProperty("count").GetInt64());
            Assert.True(limited.RootElement.GetProperty("more").GetBoolean());
            Assert.Equal(1, limited.RootElement.GetProperty("kvs").GetArrayLength());
        }

        Assert.Equal("1\n", (await Etcdctl.RunAsync(_endpoint, "del /ctl/kv/a")).Output);
        Assert.Equal("", (await Etcdctl.RunAsync(_endpoint, "get /ctl/kv/a")).Output);
        Assert.Equal("2\n", (await Etcdctl.RunAsync(_endpoint, "del --prefix /ctl/kv")).Output);
        Assert.Equal("", (await Etcdctl.RunAsync(_endpoint, "get --prefix /ctl/kv")).Output);
    }

    [Fact]
    public async Task Txn_reads_its_compares_and_branches_from_stdin()
    {
        await Etcdctl.RunAsync(_endpoint, "put /ctl/txn/key v1");

        var success = await Etcdctl.RunAsync(_endpoint, "txn", "value(\"/ctl/txn/key\") = \"v1\"\n\nput /ctl/txn/key v2\nget /ctl/txn/key\n\nput /ctl/txn/failed yes\n\n");
        Assert.Equal("SUCCESS\n\nOK\n\n/ctl/txn/key\nv2\n", success.Output);

        var failure = await Etcdctl.RunAsync(_endpoint, "txn", "value(\"/ctl/txn/key\") = \"v1\"\n\nput /ctl/txn/key v3\n\nput /ctl/txn/failed yes\n\n");
        Assert.Equal("FAILURE\n\nOK\n", failure.Output);
        Assert.Equal("/ctl/txn/failed\nyes\n/ctl/txn/key\nv2\n", (await Etcdctl.RunAsync(_endpoint, "get --prefix /ctl/txn/")).Output);
    }

    [Fact]
    public async Task Watch_prints_history_from_a_revision_then_new_events()
    {
        await Etcdctl.RunAsync(_endpoint, "put /ctl/watch/a 1");
        var revision = Revision(await Etcdctl.RunAsync(_endpoint, "get /ctl/watch/a -w json"));
        await Etcdctl.RunAsync(_endpoint, "put /ctl/watch/b 2");
        await Etcdctl.RunAsync(_endpoint, "del /ctl/watch/a");

        var history = await Etcdctl.RunUntilAsync(
            _endpoint, $"watch --prefix --rev={revision.ToString(CultureInfo.InvariantCulture)} /ctl/watch/", null,
            text => text.Contains("DELETE", StringComparison.Ordinal), Etcdctl.Bound);
        Assert.Equal("PUT\n/ctl/watch/a\n1\nPUT\n/ctl/watch/b\n2\nDELETE\n/ctl/watch/a\n\n", history.Output);

        // A watch from now sees a write made after it started.
        var live = Etcdctl.RunUntilAsync(_endpoint, "watch /ctl/watch/c", null, text => text.Contains("now", StringComparison.Ordinal), Etcdctl.Bound);
        await EtcdGatewayCluster.WaitUntilAsync(async () =>
        {
            await Etcdctl.RunAsync(_endpoint, "put /ctl/watch/c now");
            return live.IsCompleted;
        }, "the watch to print a put made after it started");
        Assert.StartsWith("PUT\n/ctl/watch/c\nnow\n", (await live).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lease_grant_attach_keep_alive_time_to_live_list_and_revoke()
    {
        var granted = await Etcdctl.RunAsync(_endpoint, "lease grant 60");
        var match = LeaseGranted().Match(granted.Output);
        Assert.True(match.Success, granted.Output);
        var id = match.Groups[1].Value;

        Assert.Equal("OK\n", (await Etcdctl.RunAsync(_endpoint, $"put --lease={id} /ctl/lease/k v")).Output);
        Assert.Equal($"lease {id} keepalived with TTL(60)\n", (await Etcdctl.RunAsync(_endpoint, $"lease keep-alive --once {id}")).Output);

        var ttl = await Etcdctl.RunAsync(_endpoint, $"lease timetolive --keys {id}");
        Assert.Matches($"^lease {id} granted with TTL\\(60s\\), remaining\\((59|60)s\\), attached keys\\(\\[/ctl/lease/k\\]\\)\n$", ttl.Output);
        Assert.Contains(id, (await Etcdctl.RunAsync(_endpoint, "lease list")).Output, StringComparison.Ordinal);

        Assert.Equal($"lease {id} revoked\n", (await Etcdctl.RunAsync(_endpoint, $"lease revoke {id}")).Output);
        Assert.Equal("", (await Etcdctl.RunAsync(_endpoint, "get /ctl/lease/k")).Output);
        Assert.Equal($"lease {id} already expired\n", (await Etcdctl.RunAsync(_endpoint, $"lease timetolive {id}")).Output);
    }

    [Fact]
    public async Task Endpoint_status_reports_the_leader_its_term_and_indexes()
    {
        var status = await fixture.LeaderStatusAsync();
        var output = await Etcdctl.RunAsync(_endpoint, "endpoint status -w json");
        using var json = JsonDocument.Parse(output.Output);
        var answer = json.RootElement[0].GetProperty("Status");
        var leader = status.Members.Single(m => m.MemberId == status.Leader).Status!;

        Assert.Equal(fixture.Gateway.ClusterId, answer.GetProperty("header").GetProperty("cluster_id").GetUInt64());
        Assert.Equal(fixture.Gateway.EtcdMemberId(status.Leader), answer.GetProperty("header").GetProperty("member_id").GetUInt64());
        Assert.Equal(fixture.Gateway.EtcdMemberId(status.Leader), answer.GetProperty("leader").GetUInt64());
        Assert.Equal(leader.Term, answer.GetProperty("raftTerm").GetUInt64());
        Assert.Equal(leader.Term, answer.GetProperty("header").GetProperty("raft_term").GetUInt64());
        Assert.True(answer.GetProperty("raftIndex").GetUInt64() >= leader.Commit);
        Assert.Equal("3.4.0", answer.GetProperty("version").GetString());

        var table = await Etcdctl.RunAsync(_endpoint, "endpoint status");
        Assert.Contains($"{fixture.Gateway.EtcdMemberId(status.Leader):x}, 3.4.0,", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Member_list_names_every_member_of_the_group()
    {
        var output = await Etcdctl.RunAsync(_endpoint, "member list -w json");
        using var json = JsonDocument.Parse(output.Output);
        var members = json.RootElement.GetProperty("members").EnumerateArray()
            .Select(m => (Id: m.GetProperty("ID").GetUInt64(), Name: m.GetProperty("name").GetString(), Client: m.GetProperty("clientURLs")[0].GetString(),
                Peer: m.GetProperty("peerURLs")[0].GetString()))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();

        Assert.Equal(["kv/1", "kv/2", "kv/3"], members.Select(m => m.Name));
        Assert.Equal([1UL, 2UL, 3UL], members.Select(m => m.Id).Select(id => (ulong)Array.IndexOf(new[] { 0UL, fixture.Gateway.EtcdMemberId(1), fixture.Gateway.EtcdMemberId(2), fixture.Gateway.EtcdMemberId(3) }, id)));
        // Each member's client URL is the gateway on its silo, whichever gateway answers.
        Assert.Equal(fixture.SiloEndpoints.Select(e => $"http://{e}").Order(), members.Select(m => m.Client).Order());
        Assert.All(members, m => Assert.StartsWith("orleans://127.0.0.1:", m.Peer, StringComparison.Ordinal));
        Assert.Equal(fixture.Gateway.ClusterId, json.RootElement.GetProperty("header").GetProperty("cluster_id").GetUInt64());
    }

    [Fact]
    public async Task Compacted_revisions_are_refused_and_a_watch_on_them_is_cancelled()
    {
        await Etcdctl.RunAsync(_endpoint, "put /ctl/compact/k 1");
        var old = Revision(await Etcdctl.RunAsync(_endpoint, "get /ctl/compact/k -w json"));
        await Etcdctl.RunAsync(_endpoint, "put /ctl/compact/k 2");
        var now = Revision(await Etcdctl.RunAsync(_endpoint, "get /ctl/compact/k -w json"));
        Assert.Equal($"compacted revision {now}\n", (await Etcdctl.RunAsync(_endpoint, $"compaction {now}")).Output);

        var read = await Etcdctl.RunUntilAsync(_endpoint, $"get --rev={old} /ctl/compact/k", null, null, Etcdctl.Bound);
        Assert.NotEqual(0, read.ExitCode);
        Assert.Contains("required revision has been compacted", read.Error, StringComparison.Ordinal);

        var watch = await Etcdctl.RunUntilAsync(_endpoint, $"watch --rev={old} /ctl/compact/k", null, null, Etcdctl.Bound);
        Assert.Contains("required revision has been compacted", watch.Error + watch.Output, StringComparison.Ordinal);
    }

    private static long Revision(EtcdctlResult json)
    {
        using var document = JsonDocument.Parse(json.Output);
        return document.RootElement.GetProperty("header").GetProperty("revision").GetInt64();
    }

    [GeneratedRegex("^lease ([0-9a-f]+) granted with TTL\\(60s\\)\n$")]
    private static partial Regex LeaseGranted();
}
