using System.Text.Json.Nodes;
using OrleansRaft.Etcd.Snapshots;
using OrleansRaft.Etcd.Tests.Infrastructure;
using OrleansRaft.KeyValue;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Etcd.Tests;

/// <summary>The snapshot file read by etcdctl itself, beyond what one bbolt page holds.</summary>
public sealed class EtcdSnapshotFileTests
{
    [Fact]
    public async Task A_store_with_more_versions_than_a_page_counts_and_values_larger_than_a_page_reads_whole()
    {
        var store = new KvStateMachine();
        ulong index = 0;
        const int Keys = 70_000;
        for (var i = 0; i < Keys; i += 100)
        {
            var txn = new TxnRequest { Success = [.. Enumerable.Range(i, 100).Select(k => (KvRequest)new PutRequest(KvBytes.From($"/k/{k:D6}"), KvBytes.From("v")))] };
            store.Apply(++index, KvCodec.EncodeCommand(new KvCommand(txn)));
        }

        store.Apply(++index, KvCodec.EncodeCommand(new KvCommand(new PutRequest(KvBytes.From("/big"), new byte[100_000]))));
        var folder = TestFolders.Create("etcd-snapshot-file");
        try
        {
            var file = Path.Combine(folder, "store.db");
            await File.WriteAllBytesAsync(file, EtcdSnapshot.Write(store));
            var status = JsonNode.Parse((await Etcdctl.RunAsync("127.0.0.1:1", $"snapshot status {file} -w json")).Output)!;
            Assert.Equal(store.Revision, (long)status["revision"]!);

            // Every version, the applied index in bucket meta.
            Assert.Equal(Keys + 1 + 1, (long)status["totalKey"]!);
        }
        finally
        {
            TestFolders.Delete(folder);
        }
    }
}
