using System.Diagnostics;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using OrleansRaft.Etcd.Tests.Infrastructure;

namespace OrleansRaft.Etcd.Tests;

/// <summary>Requests the gateway does not serve, or that the store refuses, fail at once with a clear status.</summary>
[Collection(EtcdGatewayCollection.Name)]
public sealed class UnsupportedRequestTests(EtcdGatewayCluster fixture) : IDisposable
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(5);

    private readonly EtcdClient _client = EtcdClients.Connect(fixture);

    [Fact]
    public async Task Services_and_methods_the_gateway_does_not_serve_answer_unimplemented()
    {
        var connection = _client.GetConnection();
        await ExpectAsync(StatusCode.Unimplemented, "member add is not supported", () => connection.ClusterClient.MemberAddAsync(new MemberAddRequest { PeerURLs = { "http://127.0.0.1:2380" } }, deadline: EtcdClients.Deadline()).ResponseAsync);
        await ExpectAsync(StatusCode.Unimplemented, "hash (of a backend file) is not supported", () => connection.MaintenanceClient.HashAsync(new HashRequest(), deadline: EtcdClients.Deadline()).ResponseAsync);
        await ExpectAsync(StatusCode.Unimplemented, "alarms cannot be raised", () => connection.MaintenanceClient.AlarmAsync(new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Activate, Alarm = AlarmType.Nospace }, deadline: EtcdClients.Deadline()).ResponseAsync);
        Assert.Empty((await connection.MaintenanceClient.AlarmAsync(new AlarmRequest(), deadline: EtcdClients.Deadline())).Alarms);
    }

    [Fact]
    public async Task Refused_requests_fail_with_etcds_statuses()
    {
        await ExpectAsync(StatusCode.InvalidArgument, "etcdserver: key is not provided", () =>
            _client.PutAsync(new PutRequest { Key = ByteString.Empty, Value = Bytes("v") }, deadline: EtcdClients.Deadline()));
        await ExpectAsync(StatusCode.OutOfRange, "etcdserver: mvcc: required revision is a future revision", () =>
            _client.GetAsync(new RangeRequest { Key = Bytes("/net/bad/k"), Revision = long.MaxValue / 2 }, deadline: EtcdClients.Deadline()));
        await ExpectAsync(StatusCode.InvalidArgument, "etcdserver: duplicate key given in txn request", () =>
            _client.TransactionAsync(
                new TxnRequest
                {
                    Success =
                    {
                        new RequestOp { RequestPut = new PutRequest { Key = Bytes("/net/bad/dup"), Value = Bytes("1") } },
                        new RequestOp { RequestPut = new PutRequest { Key = Bytes("/net/bad/dup"), Value = Bytes("2") } },
                    },
                },
                deadline: EtcdClients.Deadline()));
        await ExpectAsync(StatusCode.InvalidArgument, "etcdserver: key not found", () =>
            _client.PutAsync(new PutRequest { Key = Bytes("/net/bad/none"), IgnoreValue = true }, deadline: EtcdClients.Deadline()));
        await ExpectAsync(StatusCode.OutOfRange, "etcdserver: too large lease TTL", () =>
            _client.LeaseGrantAsync(new LeaseGrantRequest { TTL = long.MaxValue / 2 }, deadline: EtcdClients.Deadline()));
        await ExpectAsync(StatusCode.NotFound, "etcdserver: requested lease not found", () =>
            _client.PutAsync(new PutRequest { Key = Bytes("/net/bad/leased"), Value = Bytes("v"), Lease = 0x7777_7777 }, deadline: EtcdClients.Deadline()));
        await ExpectAsync(StatusCode.InvalidArgument, "etcdserver: request is too large", () =>
            _client.PutAsync(new PutRequest { Key = Bytes("/net/bad/big"), Value = ByteString.CopyFrom(new byte[(1024 * 1024) + 1]) }, deadline: EtcdClients.Deadline()));
    }

    [Fact]
    public async Task A_range_sorted_by_another_target_beyond_a_store_page_is_refused_with_advice()
    {
        var txn = new TxnRequest();
        for (var i = 0; i <= EtcdGatewayCluster.PageSize; i++)
        {
            txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Bytes($"/net/sorted/{i:D4}"), Value = Bytes("v") } });
        }

        // One transaction holds at most 128 operations: the page size stays below it.
        await _client.TransactionAsync(txn, deadline: EtcdClients.Deadline());
        await ExpectAsync(StatusCode.ResourceExhausted, "Set a limit, or sort by key", () =>
            _client.GetAsync(
                new RangeRequest { Key = Bytes("/net/sorted/"), RangeEnd = Bytes("/net/sorted0"), SortTarget = RangeRequest.Types.SortTarget.Mod },
                deadline: EtcdClients.Deadline()));
        var limited = await _client.GetAsync(
            new RangeRequest { Key = Bytes("/net/sorted/"), RangeEnd = Bytes("/net/sorted0"), SortTarget = RangeRequest.Types.SortTarget.Mod, SortOrder = RangeRequest.Types.SortOrder.Descend, Limit = 3 },
            deadline: EtcdClients.Deadline());
        Assert.Equal(["/net/sorted/0100", "/net/sorted/0099", "/net/sorted/0098"], limited.Kvs.Select(k => k.Key.ToStringUtf8()));
    }

    public void Dispose() => _client.Dispose();

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    private static async Task ExpectAsync<T>(StatusCode code, string? detail, Func<Task<T>> call)
    {
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(clock.Elapsed < Quick, $"the refusal took {clock.Elapsed}");
        Assert.Equal(code, error.StatusCode);
        if (detail is not null)
        {
            Assert.Contains(detail, error.Status.Detail, StringComparison.Ordinal);
        }
    }
}
