using System.Text;
using System.Text.Json.Nodes;
using OrleansRaft.Etcd.Tests.Infrastructure;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Etcd.Tests;

public sealed partial class EtcdParityTests
{
    private const string Curl = "/usr/bin/curl";

    /// <summary>Values that differ between two clusters by nature: ids, revisions, terms, indexes, sizes, the server version.</summary>
    private static readonly HashSet<string> Varying =
    [
        "header.cluster_id", "header.member_id", "header.revision", "header.raft_term", "kvs.create_revision", "kvs.mod_revision",
        "prev_kv.create_revision", "prev_kv.mod_revision", "prev_kvs.create_revision", "prev_kvs.mod_revision",
        "responses.response_range.kvs.create_revision", "responses.response_range.kvs.mod_revision", "ID", "TTL", "grantedTTL", "leader", "raftIndex",
        "raftTerm", "raftAppliedIndex", "dbSize", "dbSizeInUse", "version", "members.ID", "members.name", "members.peerURLs", "members.clientURLs",
        "result.header.cluster_id", "result.header.member_id", "result.header.revision", "result.header.raft_term", "result.watch_id",
        "result.events.kv.create_revision", "result.events.kv.mod_revision", "result.ID", "result.TTL",

        // etcd fills only the revision of a txn's inner headers; the gateway fills them whole (a gRPC-level difference).
        "responses.response_range.header",
    ];

    [Fact]
    public async Task The_json_gateway_answers_curl_as_etcds_does()
    {
        await fixture.LeaderStatusAsync();
        var transcripts = new List<string>();
        foreach (var endpoints in new[] { etcd.Endpoints, Ours })
        {
            var url = $"http://{await LeaderEndpointAsync(endpoints)}";
            var lines = new List<string>();
            async Task<JsonNode?> Post(string path, string body)
            {
                var run = await CurlAsync(url + path, body);
                var (text, status) = (run[..run.LastIndexOf('\n')], run[(run.LastIndexOf('\n') + 1)..]);
                var json = JsonNode.Parse(text);
                lines.Add($"{path} {status} {Normalise(json!, static (p, _) => Varying.Contains(p) ? $"<{p}>" : null)}");
                return json;
            }

            var foo = B64("/parity/json/foo");
            await Post("/v3/kv/put", $$"""{"key":"{{foo}}","value":"{{B64("bar")}}"}""");
            await Post("/v3/kv/range", $$"""{"key":"{{foo}}"}""");
            await Post("/v3/kv/range", $$"""{"key":"{{B64("/parity/json/none")}}"}""");
            await Post("/v3/kv/range", $$"""{"key":"{{foo}}","revision":"100000000"}""");
            await Post("/v3/kv/range", $$"""{"key":"{{B64("/parity/json/")}}","range_end":"{{B64("/parity/json0")}}","keys_only":true,"limit":"1"}""");
            await Post("/v3/kv/txn", $$$"""{"compare":[{"key":"{{{foo}}}","target":"VALUE","result":"EQUAL","value":"{{{B64("bar")}}}"}],"success":[{"request_range":{"key":"{{{foo}}}"}}]}""");
            await Post("/v3/kv/deleterange", $$"""{"key":"{{foo}}","prev_kv":true}""");
            var lease = (string)(await Post("/v3/lease/grant", """{"TTL":"30"}"""))!["ID"]!;
            await Post("/v3/lease/timetolive", $$"""{"ID":"{{lease}}"}""");
            await Post("/v3/lease/keepalive", $$"""{"ID":"{{lease}}"}""");
            await Post("/v3/lease/revoke", $$"""{"ID":"{{lease}}"}""");
            await Post("/v3/lease/revoke", $$"""{"ID":"{{lease}}"}""");
            await Post("/v3/maintenance/status", "{}");
            await Post("/v3/cluster/member/list", "{}");
            await Post("/v3/kv/compaction", """{"revision":"100000000"}""");

            // A watch streams its responses, each on its line, until the client goes.
            var watch = ChildProcess.Start(Curl, ["-s", "-N", "-X", "POST", $"{url}/v3/watch", "-d", $$$"""{"create_request":{"key":"{{{foo}}}"}}"""], new ChildProcessOptions { Bound = EtcdGatewayCluster.Bound });
            using (watch)
            {
                await EtcdGatewayCluster.WaitUntilAsync(async () =>
                {
                    if (!watch.Stdout.Contains("\"created\":true", StringComparison.Ordinal))
                    {
                        return false;
                    }

                    await CurlAsync($"{url}/v3/kv/put", $$"""{"key":"{{foo}}","value":"{{B64("watched")}}"}""");
                    return watch.Stdout.Contains("events", StringComparison.Ordinal);
                }, $"the watch at {url} (etcd: {string.Join(",", etcd.Endpoints)}) to stream a put (it printed: {watch.Stdout}{watch.Stderr})");
                lines.AddRange(watch.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(2)
                    .Select(l => "/v3/watch " + Normalise(JsonNode.Parse(l)!, static (p, _) => Varying.Contains(p) ? $"<{p}>" : null)));
            }

            // A body that is not JSON is refused with InvalidArgument; the parser's words are its own.
            var bad = await CurlAsync($"{url}/v3/kv/range", "bad");
            lines.Add($"bad {bad[(bad.LastIndexOf('\n') + 1)..]} {(int)JsonNode.Parse(bad[..bad.LastIndexOf('\n')])!["code"]!}");
            transcripts.Add(string.Join("\n", lines));
        }

        Assert.Equal(transcripts[0], transcripts[1]);
    }

    /// <summary>curl's answer to a POST of <paramref name="body"/>, then a newline and the HTTP status.</summary>
    private static async Task<string> CurlAsync(string url, string body)
    {
        var run = await ChildProcess.RunAsync(Curl, ["-s", "-X", "POST", url, "-d", body, "-w", "\n%{http_code}"], new ChildProcessOptions { Bound = EtcdGatewayCluster.Bound });
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Stdout.TrimEnd('\n');
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
