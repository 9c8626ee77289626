using System.Text;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using OrleansRaft.Etcd.Tests.Infrastructure;

namespace OrleansRaft.Etcd.Tests;

/// <summary>
/// Range's revision filters (min/max mod and create revision) against the gateway and against etcd 3.4: the same
/// writes, the same ranges, the same answers (revisions shown relative to the script's first write, since the
/// gateway's store holds other tests' keys too).
/// </summary>
[Collection(EtcdGatewayCollection.Name)]
public sealed class RangeFilterParityTests(EtcdGatewayCluster fixture, RealEtcd etcd) : IClassFixture<RealEtcd>
{
    [Fact]
    public async Task Revision_filters_with_limits_sorts_and_counts_answer_as_etcd()
    {
        using var gateway = EtcdClients.Connect(fixture);
        using var reference = etcd.Connect();
        var expected = await ScriptAsync(reference, "/filters/");
        var actual = await ScriptAsync(gateway, "/filters/");
        Assert.Equal(expected, actual);
    }

    /// <summary>Writes a, b, c, d and e, modifies b and d, then prints a series of filtered ranges.</summary>
    private static async Task<string> ScriptAsync(EtcdClient client, string prefix)
    {
        var first = (await client.PutAsync(new PutRequest { Key = Bytes(prefix + "a"), Value = Bytes("1") }, deadline: EtcdClients.Deadline())).Header.Revision;
        foreach (var key in new[] { "b", "c", "d", "e" })
        {
            await client.PutAsync(new PutRequest { Key = Bytes(prefix + key), Value = Bytes("1") }, deadline: EtcdClients.Deadline());
        }

        await client.PutAsync(new PutRequest { Key = Bytes(prefix + "b"), Value = Bytes("2") }, deadline: EtcdClients.Deadline());
        await client.PutAsync(new PutRequest { Key = Bytes(prefix + "d"), Value = Bytes("2") }, deadline: EtcdClients.Deadline());

        // Offsets from the first write: a..e were created at 0..4, b modified at 5, d at 6.
        var ranges = new (string Name, Action<RangeRequest> Set)[]
        {
            ("min mod 5", r => r.MinModRevision = first + 5),
            ("max mod 4", r => r.MaxModRevision = first + 4),
            ("min create 2", r => r.MinCreateRevision = first + 2),
            ("max create 1", r => r.MaxCreateRevision = first + 1),
            ("max create 1, min mod 5", r => { r.MaxCreateRevision = first + 1; r.MinModRevision = first + 5; }),
            ("last created before c, limit 1", r => { r.MaxCreateRevision = first + 1; r.SortTarget = RangeRequest.Types.SortTarget.Create; r.SortOrder = RangeRequest.Types.SortOrder.Descend; r.Limit = 1; }),
            ("first created, limit 1", r => { r.SortTarget = RangeRequest.Types.SortTarget.Create; r.SortOrder = RangeRequest.Types.SortOrder.Ascend; r.Limit = 1; }),
            ("max create 0 alone passes nothing less", r => { r.MaxCreateRevision = first; r.Limit = 1; }),
            ("min create 2, descending, limit 2", r => { r.MinCreateRevision = first + 2; r.SortOrder = RangeRequest.Types.SortOrder.Descend; r.Limit = 2; }),
            ("min mod 5 at revision 5", r => { r.MinModRevision = first + 5; r.Revision = first + 5; }),
            ("min mod 5, count only", r => { r.MinModRevision = first + 5; r.CountOnly = true; }),
            ("min mod 5, keys only, serializable", r => { r.MinModRevision = first + 5; r.KeysOnly = true; r.Serializable = true; }),
            ("min mod beyond every key", r => r.MinModRevision = first + 100),
            ("max mod negative", r => r.MaxModRevision = -1),
            ("min create negative", r => r.MinCreateRevision = -1),
        };

        var printed = new StringBuilder();
        foreach (var (name, set) in ranges)
        {
            var request = new RangeRequest { Key = Bytes(prefix), RangeEnd = Bytes(prefix[..^1] + "0") };
            set(request);
            var response = await client.GetAsync(request, deadline: EtcdClients.Deadline());
            printed.Append(name).Append(": count ").Append(response.Count).Append(" more ").Append(response.More).Append(" [");
            printed.AppendJoin(", ", response.Kvs.Select(kv =>
                $"{kv.Key.ToStringUtf8()[prefix.Length..]}={kv.Value.ToStringUtf8()} c{kv.CreateRevision - first} m{kv.ModRevision - first} v{kv.Version}"));
            printed.Append("]\n");
        }

        // In a transaction too: the lock recipe's compare-and-put then the owner, sorted by create revision.
        var txn = await client.TransactionAsync(new TxnRequest
        {
            Success =
            {
                new RequestOp { RequestRange = new RangeRequest { Key = Bytes(prefix), RangeEnd = Bytes(prefix[..^1] + "0"), MaxCreateRevision = first + 3, MinModRevision = first + 5 } },
            },
        }, deadline: EtcdClients.Deadline());
        printed.Append("txn: ").AppendJoin(", ", txn.Responses[0].ResponseRange.Kvs.Select(kv => kv.Key.ToStringUtf8()[prefix.Length..])).Append('\n');
        return printed.ToString();
    }

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);
}
