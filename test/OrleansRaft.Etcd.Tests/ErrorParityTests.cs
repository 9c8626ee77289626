using System.Text;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using OrleansRaft.Etcd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansRaft.Etcd.Tests;

/// <summary>
/// Requests at etcd's edges, sent as raw gRPC (the generated clients of dotnet-etcd) to etcd 3.4 and to the gateway:
/// the answers (codes, and the fields that matter, revisions relative to the script's first write) must be the same.
/// Messages are compared too, except where the README's table of differences says why they differ.
/// </summary>
[Collection(EtcdGatewayCollection.Name)]
public sealed class ErrorParityTests(EtcdGatewayCluster fixture, RealEtcd etcd, ITestOutputHelper output) : IClassFixture<RealEtcd>
{
    [Fact]
    public async Task Negative_limits_ttls_and_lease_ids_oversized_requests_and_watches_on_compacted_revisions_answer_as_etcd()
    {
        using var reference = etcd.Connect();
        var expected = await ScriptAsync(reference, "/edges/");
        output.WriteLine(expected);
        using var gateway = EtcdClients.Connect(fixture);
        Assert.Equal(expected, await ScriptAsync(gateway, "/edges/"));
    }

    private static async Task<string> ScriptAsync(EtcdClient client, string prefix)
    {
        var printed = new StringBuilder();
        var first = (await client.PutAsync(prefix + "a", "1", deadline: EtcdClients.Deadline())).Header.Revision;
        await client.PutAsync(prefix + "b", "2", deadline: EtcdClients.Deadline());
        await client.PutAsync(prefix + "c", "3", deadline: EtcdClients.Deadline());

        var unlimited = await client.GetAsync(new RangeRequest { Key = Bytes(prefix), RangeEnd = Bytes(prefix[..^1] + "0"), Limit = -1 }, deadline: EtcdClients.Deadline());
        printed.Append($"limit -1: {unlimited.Kvs.Count} kvs, count {unlimited.Count}, more {unlimited.More}\n");

        var shortLease = await client.LeaseGrantAsync(new LeaseGrantRequest { TTL = -5 }, deadline: EtcdClients.Deadline());
        printed.Append($"ttl -5: granted TTL {shortLease.TTL}, error '{shortLease.Error}'\n");
        await client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = shortLease.ID }, deadline: EtcdClients.Deadline());

        var negative = await client.LeaseGrantAsync(new LeaseGrantRequest { ID = -7, TTL = 60 }, deadline: EtcdClients.Deadline());
        printed.Append($"id -7: granted id {negative.ID}, TTL {negative.TTL}\n");
        await client.PutAsync(new PutRequest { Key = Bytes(prefix + "leased"), Value = Bytes("v"), Lease = -7 }, deadline: EtcdClients.Deadline());
        printed.Append($"put on lease -7: {(await client.GetAsync(prefix + "leased", deadline: EtcdClients.Deadline())).Kvs.Single().Lease}\n");
        await client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = -7 }, deadline: EtcdClients.Deadline());
        printed.Append($"after revoking -7: {(await client.GetAsync(prefix + "leased", deadline: EtcdClients.Deadline())).Kvs.Count} keys\n");

        // etcd's gRPC server receives at most 1.5 MiB + 512 KiB; its message names the sizes, the gateway's does not.
        var big = await Assert.ThrowsAsync<RpcException>(() =>
            client.PutAsync(new PutRequest { Key = Bytes(prefix + "big"), Value = ByteString.CopyFrom(new byte[2 * 1024 * 1024]) }, deadline: EtcdClients.Deadline()));
        printed.Append($"2 MiB put: {big.StatusCode}\n");

        var now = (await client.PutAsync(prefix + "a", "4", deadline: EtcdClients.Deadline())).Header.Revision;
        await client.CompactAsync(new CompactionRequest { Revision = now }, deadline: EtcdClients.Deadline());
        using var watch = client.GetConnection().WatchClient.Watch(deadline: EtcdClients.Deadline());
        await watch.RequestStream.WriteAsync(new WatchRequest { CreateRequest = new WatchCreateRequest { Key = Bytes(prefix + "a"), StartRevision = first } });
        var responses = new List<WatchResponse>();
        while (!responses.Any(r => r.Canceled) && await watch.ResponseStream.MoveNext(CancellationToken.None))
        {
            responses.Add(watch.ResponseStream.Current);
        }

        var cancelled = responses.Single(r => r.Canceled);
        printed.Append($"watch from a compacted revision: created {responses.Any(r => r.Created)}, canceled, compact revision +{cancelled.CompactRevision - first}, cancel reason '{cancelled.CancelReason}'\n");
        await watch.RequestStream.CompleteAsync();
        return printed.ToString();
    }

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);
}
