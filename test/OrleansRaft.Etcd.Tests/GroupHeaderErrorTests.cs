using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using OrleansRaft.Abstractions;
using OrleansRaft.Etcd.Tests.Infrastructure;
using static OrleansRaft.Etcd.Tests.GroupHeaderTests;

namespace OrleansRaft.Etcd.Tests;

/// <summary>
/// The <c>orleansraft-group</c> header's refusals: an invalid id, a group that does not exist (answered as a missing
/// default group is), and a group outside the gateway's allow-list.
/// </summary>
[Collection(EtcdGatewayCollection.Name)]
public sealed class GroupHeaderErrorTests(EtcdGatewayCluster fixture) : IDisposable
{
    private readonly EtcdClient _client = EtcdClients.Connect(fixture);

    [Fact]
    public async Task An_invalid_group_id_answers_invalid_argument_with_the_reason()
    {
        var kv = _client.GetConnection().KVClient;
        var put = new PutRequest { Key = Bytes("/grp/bad/k"), Value = Bytes("v") };
        var tooLong = await Assert.ThrowsAsync<RpcException>(async () => await kv.PutAsync(put, In(new string('g', 257)), EtcdClients.Deadline()));
        Assert.Equal(StatusCode.InvalidArgument, tooLong.StatusCode);
        Assert.EndsWith("is not a valid group id: it is longer than 256 characters.", tooLong.Status.Detail, StringComparison.Ordinal);

        var empty = await Assert.ThrowsAsync<RpcException>(async () => await kv.PutAsync(put, In(""), EtcdClients.Deadline()));
        Assert.Equal((StatusCode.InvalidArgument, "OrleansRaft etcd gateway: orleansraft-group: a group id must not be empty."), (empty.StatusCode, empty.Status.Detail));

        var twice = await Assert.ThrowsAsync<RpcException>(async () =>
            await kv.RangeAsync(new RangeRequest { Key = Bytes("/grp/bad/k") }, new Metadata { { EtcdGroupHeader.Name, "x" }, { EtcdGroupHeader.Name, "y" } }, EtcdClients.Deadline()));
        Assert.Equal(
            (StatusCode.InvalidArgument, "OrleansRaft etcd gateway: the orleansraft-group header names more than one group ('x, y'); a group chosen by header holds no comma."),
            (twice.StatusCode, twice.Status.Detail));

        // Nothing reached the default group.
        Assert.Empty((await kv.RangeAsync(new RangeRequest { Key = Bytes("/grp/bad/k") }, deadline: EtcdClients.Deadline())).Kvs);
    }

    [Fact]
    public async Task A_group_that_does_not_exist_answers_as_a_missing_default_group_does_on_every_service()
    {
        const string Missing = "no-such-group";
        var expected = (StatusCode.Unavailable, $"etcdserver: {new RaftGroupNotFoundException(Missing).Message}");
        var connection = _client.GetConnection();
        var headers = In(Missing);
        await ExpectAsync(expected, async () => await connection.KVClient.PutAsync(new PutRequest { Key = Bytes("/grp/missing/k"), Value = Bytes("v") }, headers, EtcdClients.Deadline()));
        await ExpectAsync(expected, async () => await connection.KVClient.RangeAsync(new RangeRequest { Key = Bytes("/grp/missing/k") }, headers, EtcdClients.Deadline()));
        await ExpectAsync(expected, async () => await connection.LeaseClient.LeaseGrantAsync(new LeaseGrantRequest { TTL = 10 }, headers, EtcdClients.Deadline()));
        await ExpectAsync(expected, async () => await connection.ClusterClient.MemberListAsync(new MemberListRequest(), headers, EtcdClients.Deadline()));
        await ExpectAsync(expected, async () => await connection.MaintenanceClient.StatusAsync(new StatusRequest(), headers, EtcdClients.Deadline()));
        await ExpectAsync(expected, async () =>
        {
            using var watch = connection.WatchClient.Watch(headers, EtcdClients.Deadline());
            try
            {
                await watch.RequestStream.WriteAsync(new WatchRequest { CreateRequest = new WatchCreateRequest { Key = Bytes("/grp/missing/k") } });
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException)
            {
                // The gateway may refuse the stream, from its headers, before the request is written: its answer is read below.
            }

            await watch.ResponseStream.MoveNext(CancellationToken.None);
        });

        // A gateway whose default group is missing answers its requests the same way.
        var (app, endpoint) = await fixture.StartGatewayAsync(o => o.GroupId = Missing);
        try
        {
            using var other = new EtcdClient(endpoint, configureChannelOptions: options => options.Credentials = ChannelCredentials.Insecure);
            await ExpectAsync(expected, async () => await other.GetConnection().KVClient.PutAsync(new PutRequest { Key = Bytes("/grp/missing/k"), Value = Bytes("v") }, deadline: EtcdClients.Deadline()));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task With_allowed_groups_a_group_outside_them_answers_permission_denied()
    {
        await fixture.CreateGroupAsync("allowed-a");
        await fixture.CreateGroupAsync("allowed-b");
        var (app, endpoint) = await fixture.StartGatewayAsync(o => o.AllowedGroups.Add("allowed-a"));
        try
        {
            using var client = new EtcdClient(endpoint, configureChannelOptions: options => options.Credentials = ChannelCredentials.Insecure);
            var kv = client.GetConnection().KVClient;
            var put = new PutRequest { Key = Bytes("/grp/allowed/k"), Value = Bytes("v") };
            await kv.PutAsync(put, In("allowed-a"), EtcdClients.Deadline());
            await kv.PutAsync(put, deadline: EtcdClients.Deadline());
            await ExpectAsync(
                (StatusCode.PermissionDenied, "OrleansRaft etcd gateway: this gateway does not serve the key-value group 'allowed-b'."),
                async () => await kv.PutAsync(put, In("allowed-b"), EtcdClients.Deadline()));
            Assert.Empty((await _client.GetConnection().KVClient.RangeAsync(new RangeRequest { Key = Bytes("/grp/allowed/k") }, In("allowed-b"), EtcdClients.Deadline())).Kvs);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_chosen_group_idle_past_the_timeout_is_dropped_and_served_again_on_its_next_request()
    {
        await fixture.CreateGroupAsync("idle-a");
        await fixture.CreateGroupAsync("idle-b");
        var time = new ManualTimeProvider();
        var (app, endpoint) = await fixture.StartGatewayAsync(o => o.GroupIdleTimeout = TimeSpan.FromMinutes(1), services => services.AddSingleton<TimeProvider>(time));
        try
        {
            var gateway = app.Services.GetRequiredService<EtcdGateway>();
            using var client = new EtcdClient(endpoint, configureChannelOptions: options => options.Credentials = ChannelCredentials.Insecure);
            var kv = client.GetConnection().KVClient;
            await kv.PutAsync(new PutRequest { Key = Bytes("/grp/idle/k"), Value = Bytes("a") }, In("idle-a"), EtcdClients.Deadline());
            time.Advance(TimeSpan.FromSeconds(50));
            await kv.PutAsync(new PutRequest { Key = Bytes("/grp/idle/k"), Value = Bytes("b") }, In("idle-b"), EtcdClients.Deadline());
            Assert.Equal(["idle-a", "idle-b"], gateway.ChosenGroups.Order());

            // idle-a was last asked for 70 s ago, idle-b 20 s ago: the next request that chooses a group drops idle-a.
            time.Advance(TimeSpan.FromSeconds(20));
            await kv.RangeAsync(new RangeRequest { Key = Bytes("/grp/idle/k") }, In("idle-b"), EtcdClients.Deadline());
            Assert.Equal(["idle-b"], gateway.ChosenGroups);

            var again = await kv.RangeAsync(new RangeRequest { Key = Bytes("/grp/idle/k") }, In("idle-a"), EtcdClients.Deadline());
            Assert.Equal("a", again.Kvs.Single().Value.ToStringUtf8());
            Assert.Equal(["idle-a", "idle-b"], gateway.ChosenGroups.Order());

            // A group that does not exist is not kept.
            await Assert.ThrowsAsync<RpcException>(async () => await kv.RangeAsync(new RangeRequest { Key = Bytes("/grp/idle/k") }, In("idle-missing"), EtcdClients.Deadline()));
            Assert.Equal(["idle-a", "idle-b"], gateway.ChosenGroups.Order());
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public void Dispose() => _client.Dispose();

    private static async Task ExpectAsync((StatusCode Code, string Detail) expected, Func<Task> call)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expected, (refused.StatusCode, refused.Status.Detail));
    }

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);
}
