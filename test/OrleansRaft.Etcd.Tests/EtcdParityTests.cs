using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OrleansRaft.Etcd.Tests.Infrastructure;

namespace OrleansRaft.Etcd.Tests;

/// <summary>
/// The same etcdctl commands against a real three-member etcd 3.4 and against the gateways of the three silos (one
/// endpoint per member), their outputs normalised where they must differ (ids, revisions, terms, indexes, sizes,
/// hashes, the server version) and compared.
/// </summary>
[Collection(EtcdGatewayCollection.Name)]
public sealed partial class EtcdParityTests(EtcdGatewayCluster fixture, RealEtcdCluster etcd) : IClassFixture<RealEtcdCluster>
{
    private IReadOnlyList<string> Ours => fixture.SiloEndpoints;

    [Fact]
    public async Task Endpoint_status_answers_for_each_endpoints_own_member_with_one_leader()
    {
        await fixture.LeaderStatusAsync();

        // The same write on both sides: an empty store holds no bytes in use (0, which JSON leaves out), etcd's some.
        await Etcdctl.RunAsync(etcd.Endpoints[0], "put /parity/status one");
        await Etcdctl.RunAsync(Ours[0], "put /parity/status one");
        var theirs = await EndpointStatusAsync(etcd.Endpoints);
        var ours = await EndpointStatusAsync(Ours);
        Assert.Equal(theirs.Normalised, ours.Normalised);

        var group = await fixture.LeaderStatusAsync();
        Assert.Equal(new ulong[] { 1, 2, 3 }.Select(id => fixture.Gateway.EtcdMemberId(id)).Order(), ours.MemberIds.Order());

        // Each silo's gateway speaks for the member on that silo.
        for (var i = 0; i < Ours.Count; i++)
        {
            var silo = fixture.Cluster.Silos[i].SiloAddress.ToString();
            var own = group.Members.Single(m => m.Status?.Silo == silo);
            Assert.Equal(fixture.Gateway.EtcdMemberId(own.MemberId), ours.MemberIds[i]);
        }

        var table = await Etcdctl.RunAsync(string.Join(",", Ours), "endpoint status");
        Assert.Equal(1, table.Lines.Count(l => l.Contains(", true, false,", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Member_list_gives_each_member_the_client_url_of_its_own_endpoint()
    {
        await fixture.LeaderStatusAsync();
        foreach (var (endpoints, name) in new[] { (etcd.Endpoints, "etcd"), (Ours, "gateway") })
        {
            var status = await EndpointStatusAsync(endpoints);
            var output = await Etcdctl.RunAsync(endpoints[0], "member list -w json");
            using var json = JsonDocument.Parse(output.Output);
            var byUrl = json.RootElement.GetProperty("members").EnumerateArray()
                .ToDictionary(m => m.GetProperty("clientURLs").EnumerateArray().Single().GetString()!, m => m.GetProperty("ID").GetUInt64());
            Assert.Equal(endpoints.Select(e => $"http://{e}").Order(), byUrl.Keys.Order());
            for (var i = 0; i < endpoints.Count; i++)
            {
                Assert.True(byUrl[$"http://{endpoints[i]}"] == status.MemberIds[i], $"{name}: the member listed at {endpoints[i]} is the one its status names");
            }
        }

        Assert.Equal(
            Normalise(JsonNode.Parse((await Etcdctl.RunAsync(etcd.Endpoints[0], "member list -w json")).Output)!, MemberList),
            Normalise(JsonNode.Parse((await Etcdctl.RunAsync(Ours[0], "member list -w json")).Output)!, MemberList));
        Assert.Equal(
            MemberTable((await Etcdctl.RunAsync(etcd.Endpoints[0], "member list")).Output),
            MemberTable((await Etcdctl.RunAsync(Ours[0], "member list")).Output));
    }

    private sealed record EndpointStatus(string Normalised, ulong[] MemberIds);

    /// <summary>
    /// <c>endpoint status -w json</c> on <paramref name="endpoints"/>, each endpoint's answer normalised and then sorted,
    /// so that which endpoint leads does not matter; the member ids in the order of the endpoints.
    /// </summary>
    private static async Task<EndpointStatus> EndpointStatusAsync(IReadOnlyList<string> endpoints)
    {
        var output = await Etcdctl.RunAsync(string.Join(",", endpoints), "endpoint status -w json");
        var answers = JsonNode.Parse(output.Output)!.AsArray();
        Assert.Equal(endpoints, answers.Select(a => (string)a!["Endpoint"]!));
        var ids = answers.Select(a => (ulong)a!["Status"]!["header"]!["member_id"]!).ToArray();
        var leaders = answers.Select(a => (ulong)a!["Status"]!["leader"]!).Distinct().ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.Single(leaders);
        Assert.Contains(leaders[0], ids);
        var normalised = answers.Select(a =>
        {
            var self = (ulong)a!["Status"]!["header"]!["member_id"]!;
            return Normalise(a, (path, value) => path switch
            {
                "Endpoint" => "<endpoint>",
                "Status.leader" => (ulong)value == self ? "<self>" : "<other>",
                "Status.header.member_id" => "<self>",
                "Status.version" or "Status.dbSize" or "Status.dbSizeInUse" or "Status.raftIndex" or "Status.raftAppliedIndex" or "Status.raftTerm"
                    or "Status.header.cluster_id" or "Status.header.revision" or "Status.header.raft_term" => $"<{path}>",
                _ => null,
            });
        }).Order(StringComparer.Ordinal);
        return new EndpointStatus(string.Join("\n", normalised), ids);
    }

    private static string? MemberList(string path, JsonNode value) => path switch
    {
        "header.cluster_id" or "header.member_id" or "header.raft_term" or "members.ID" or "members.name" or "members.peerURLs" or "members.clientURLs" => $"<{path}>",
        _ => null,
    };

    /// <summary>etcdctl's member table, with ids, names and URLs as placeholders.</summary>
    private static string MemberTable(string output) => MemberRow().Replace(output, "<id>, started, <name>, <peer>, <client>, false");

    [GeneratedRegex(@"^[0-9a-f]+, started, [^,]+, [^,]+, http://127\.0\.0\.1:\d+, false$", RegexOptions.Multiline)]
    private static partial Regex MemberRow();

    /// <summary>
    /// <paramref name="node"/> as compact JSON, every value that <paramref name="rule"/> names (by its path of property
    /// names, array indexes left out) replaced by the rule's placeholder; arrays of objects are sorted by their text.
    /// </summary>
    internal static string Normalise(JsonNode node, Func<string, JsonNode, string?> rule) => Rewrite(node, "", rule)!.ToJsonString();

    private static JsonNode? Rewrite(JsonNode? node, string path, Func<string, JsonNode, string?> rule)
    {
        if (node is null)
        {
            return null;
        }

        if (path.Length > 0 && rule(path, node) is { } placeholder)
        {
            return JsonValue.Create(placeholder);
        }

        switch (node)
        {
            case JsonObject obj:
            {
                var copy = new JsonObject();
                foreach (var (name, value) in obj)
                {
                    copy[name] = Rewrite(value, path.Length == 0 ? name : $"{path}.{name}", rule);
                }

                return copy;
            }

            case JsonArray array:
            {
                var items = array.Select(item => Rewrite(item, path, rule)).ToList();
                var sorted = items.All(i => i is JsonObject) ? items.OrderBy(i => i!.ToJsonString(), StringComparer.Ordinal).ToList() : items;
                return new JsonArray([.. sorted]);
            }

            default:
                return node.DeepClone();
        }
    }
}
