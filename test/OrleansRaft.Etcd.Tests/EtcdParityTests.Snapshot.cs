using System.Text.Json.Nodes;
using OrleansRaft.Etcd.Tests.Infrastructure;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Etcd.Tests;

public sealed partial class EtcdParityTests
{
    [Fact]
    public async Task Snapshot_save_writes_an_etcd_backend_file_that_snapshot_status_reads_and_restore_turns_into_a_data_dir()
    {
        await fixture.LeaderStatusAsync();
        var folder = TestFolders.Create("etcd-snapshot");
        try
        {
            var transcripts = new List<string>();
            foreach (var (endpoints, side) in new[] { (etcd.Endpoints, "etcd"), (Ours, "gateway") })
            {
                await Etcdctl.RunAsync(endpoints[0], "put /parity/snap/a 1");
                await Etcdctl.RunAsync(endpoints[0], "put /parity/snap/b 2");
                await Etcdctl.RunAsync(endpoints[0], "del /parity/snap/a");
                var revision = (long)JsonNode.Parse((await Etcdctl.RunAsync(endpoints[0], "get /parity/snap/b -w json")).Output)!["header"]!["revision"]!;
                var file = Path.Combine(folder, $"{side}.db");

                // Saved from the endpoint that leads, so that it has applied every write above.
                var leader = await LeaderEndpointAsync(endpoints);
                var saved = await Etcdctl.RunAsync(leader, $"snapshot save {file}");
                var status = JsonNode.Parse((await Etcdctl.RunAsync(leader, $"snapshot status {file} -w json")).Output)!;
                Assert.True(revision == (long)status["revision"]!, $"{side}: the snapshot's revision is the store's");
                Assert.Equal(new FileInfo(file).Length - 32, (long)status["totalSize"]!);
                transcripts.Add(string.Join("\n",
                    saved.Output.Replace(file, "<file>", StringComparison.Ordinal),
                    Normalise(status, static (path, _) => path is "hash" or "revision" or "totalKey" or "totalSize" ? $"<{path}>" : null),
                    (await Etcdctl.RunAsync(leader, $"snapshot status {file}")).Output.Split(',').Length));
            }

            Assert.Equal(transcripts[0], transcripts[1]);
            await RestoredAsync(Path.Combine(folder, "gateway.db"), Path.Combine(folder, "restored"));
        }
        finally
        {
            TestFolders.Delete(folder);
        }
    }

    /// <summary>Restores the gateway's snapshot with etcdctl into an etcd data directory, and reads it back through a real etcd started on it.</summary>
    private static async Task RestoredAsync(string snapshot, string dataDir)
    {
        var (client, peer) = (EtcdGatewayCluster.FreePort(), EtcdGatewayCluster.FreePort());
        var restore = await Etcdctl.RunUntilAsync("127.0.0.1:1",
            $"snapshot restore {snapshot} --data-dir {dataDir} --name restored --initial-cluster restored=http://127.0.0.1:{peer} --initial-advertise-peer-urls http://127.0.0.1:{peer}",
            null, null, Etcdctl.Bound);
        Assert.True(restore.ExitCode == 0, restore.Error);
        using var server = ChildProcess.Start(RealEtcdCluster.Path,
        [
            "--name", "restored", "--data-dir", dataDir, "--listen-client-urls", $"http://127.0.0.1:{client}", "--advertise-client-urls", $"http://127.0.0.1:{client}",
            "--listen-peer-urls", $"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
            "--initial-cluster", $"restored=http://127.0.0.1:{peer}",
        ], new ChildProcessOptions { Bound = TimeSpan.FromMinutes(5) });
        EtcdctlResult? read = null;
        await EtcdGatewayCluster.WaitUntilAsync(async () =>
        {
            read = await Etcdctl.RunUntilAsync($"127.0.0.1:{client}", "get /parity/snap/ --prefix", null, null, Etcdctl.Bound);
            return read.ExitCode == 0;
        }, "etcd to serve the restored data directory");
        Assert.Equal("/parity/snap/b\n2\n", read!.Output);
    }

    private static async Task<string> LeaderEndpointAsync(IReadOnlyList<string> endpoints)
    {
        var answers = JsonNode.Parse((await Etcdctl.RunAsync(string.Join(",", endpoints), "endpoint status -w json")).Output)!.AsArray();
        return (string)answers.Single(a => (ulong)a!["Status"]!["leader"]! == (ulong)a["Status"]!["header"]!["member_id"]!)!["Endpoint"]!;
    }
}
