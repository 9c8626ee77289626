using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OrleansRaft.Etcd.Tests.Infrastructure;

namespace OrleansRaft.Etcd.Tests;

/// <summary>
/// Tokens and refusals seen by an etcd client (dotnet-etcd's generated stubs): a token expires after its TTL of disuse,
/// dies with its user's password, does not carry to another gateway, and a revoked role stops writes at once; every
/// refusal is etcd's status, and changes nothing.
/// </summary>
[Collection(EtcdGatewayCollection.Name)]
public sealed class AuthTokenTests(EtcdGatewayCluster fixture)
{
    [Fact]
    public async Task A_token_expires_after_its_ttl_unused_and_lives_on_while_used()
    {
        var time = new ManualTimeProvider();
        await using var gateway = await AuthGatewayAsync("auth-ttl", o => o.TokenTtl = TimeSpan.FromMinutes(5), time);
        var token = await gateway.TokenAsync("root", "rootpw");

        time.Advance(TimeSpan.FromMinutes(4));
        await gateway.Kv.PutAsync(Put("/ttl/a", "1"), token, EtcdClients.Deadline());
        time.Advance(TimeSpan.FromMinutes(4));
        await gateway.Kv.PutAsync(Put("/ttl/a", "2"), token, EtcdClients.Deadline());

        time.Advance(TimeSpan.FromMinutes(6));
        var refused = await Assert.ThrowsAsync<RpcException>(() => gateway.Kv.PutAsync(Put("/ttl/a", "3"), token, EtcdClients.Deadline()).ResponseAsync);
        Assert.Equal((StatusCode.Unauthenticated, "etcdserver: invalid auth token"), (refused.StatusCode, refused.Status.Detail));
        Assert.Equal("2", (await gateway.Kv.RangeAsync(new RangeRequest { Key = Bytes("/ttl/a") }, await gateway.TokenAsync("root", "rootpw"), EtcdClients.Deadline())).Kvs.Single().Value.ToStringUtf8());
    }

    [Fact]
    public async Task A_wrong_password_a_changed_password_and_another_gateways_token_are_refused()
    {
        await using var gateway = await AuthGatewayAsync("auth-bad");
        var wrong = await Assert.ThrowsAsync<RpcException>(() => gateway.Auth.AuthenticateAsync(new AuthenticateRequest { Name = "root", Password = "nope" }, deadline: EtcdClients.Deadline()).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "etcdserver: authentication failed, invalid user ID or password"), (wrong.StatusCode, wrong.Status.Detail));

        var root = await gateway.TokenAsync("root", "rootpw");
        await gateway.Auth.UserAddAsync(new AuthUserAddRequest { Name = "bob", Password = "bobpw" }, root, EtcdClients.Deadline());
        await gateway.Auth.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = "bob", Role = "root" }, root, EtcdClients.Deadline());
        var bob = await gateway.TokenAsync("bob", "bobpw");
        await gateway.Kv.PutAsync(Put("/bad/k", "1"), bob, EtcdClients.Deadline());
        await gateway.Auth.UserChangePasswordAsync(new AuthUserChangePasswordRequest { Name = "bob", Password = "newpw" }, root, EtcdClients.Deadline());
        var stale = await Assert.ThrowsAsync<RpcException>(() => gateway.Kv.PutAsync(Put("/bad/k", "2"), bob, EtcdClients.Deadline()).ResponseAsync);
        Assert.Equal((StatusCode.Unauthenticated, "etcdserver: invalid auth token"), (stale.StatusCode, stale.Status.Detail));

        // Simple tokens are per gateway: another gateway on the same group does not know this one's.
        await using var other = await AuthGatewayAsync("auth-bad", enable: false);
        var foreign = await Assert.ThrowsAsync<RpcException>(() => other.Kv.PutAsync(Put("/bad/k", "3"), root, EtcdClients.Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, foreign.StatusCode);
        Assert.Equal("1", (await gateway.Kv.RangeAsync(new RangeRequest { Key = Bytes("/bad/k") }, root, EtcdClients.Deadline())).Kvs.Single().Value.ToStringUtf8());
    }

    [Fact]
    public async Task A_revoked_role_stops_writes_and_watches_at_once()
    {
        await using var gateway = await AuthGatewayAsync("auth-revoke");
        var root = await gateway.TokenAsync("root", "rootpw");
        await gateway.Auth.RoleAddAsync(new AuthRoleAddRequest { Name = "app" }, root, EtcdClients.Deadline());
        await gateway.Auth.RoleGrantPermissionAsync(new AuthRoleGrantPermissionRequest
        {
            Name = "app",
            Perm = new Authpb.Permission { PermType = Authpb.Permission.Types.Type.Readwrite, Key = Bytes("/rv/"), RangeEnd = Bytes("/rv0") },
        }, root, EtcdClients.Deadline());
        await gateway.Auth.UserAddAsync(new AuthUserAddRequest { Name = "carol", Password = "carolpw" }, root, EtcdClients.Deadline());
        await gateway.Auth.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = "carol", Role = "app" }, root, EtcdClients.Deadline());
        var carol = await gateway.TokenAsync("carol", "carolpw");
        await gateway.Kv.PutAsync(Put("/rv/k", "1"), carol, EtcdClients.Deadline());

        await gateway.Auth.UserRevokeRoleAsync(new AuthUserRevokeRoleRequest { Name = "carol", Role = "app" }, root, EtcdClients.Deadline());
        var refused = await Assert.ThrowsAsync<RpcException>(() => gateway.Kv.PutAsync(Put("/rv/k", "2"), carol, EtcdClients.Deadline()).ResponseAsync);
        Assert.Equal((StatusCode.PermissionDenied, "etcdserver: permission denied"), (refused.StatusCode, refused.Status.Detail));

        using var watch = gateway.Watch.Watch(carol, EtcdClients.Deadline());
        await watch.RequestStream.WriteAsync(new WatchRequest { CreateRequest = new WatchCreateRequest { Key = Bytes("/rv/k") } });
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.True(watch.ResponseStream.Current.Canceled);
        Assert.Equal("rpc error: code = PermissionDenied desc = etcdserver: permission denied", watch.ResponseStream.Current.CancelReason);
        await watch.RequestStream.CompleteAsync();

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => gateway.Kv.RangeAsync(new RangeRequest { Key = Bytes("/rv/k") }, deadline: EtcdClients.Deadline()).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "etcdserver: user name is empty"), (anonymous.StatusCode, anonymous.Status.Detail));
        Assert.Equal("1", (await gateway.Kv.RangeAsync(new RangeRequest { Key = Bytes("/rv/k") }, root, EtcdClients.Deadline())).Kvs.Single().Value.ToStringUtf8());
    }

    [Fact]
    public async Task A_contended_lock_waits_as_its_caller_while_auth_is_enabled_and_is_acquired_once_released()
    {
        await using var gateway = await AuthGatewayAsync("auth-lock");
        var root = await gateway.TokenAsync("root", "rootpw");
        var first = (await gateway.Client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 60 }, root, EtcdClients.Deadline())).ID;
        var second = (await gateway.Client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 60 }, root, EtcdClients.Deadline())).ID;
        var held = await gateway.Client.LockAsync(new V3Lockpb.LockRequest { Name = Bytes("/al/lock"), Lease = first }, root, EtcdClients.Deadline());

        // The second contender waits on a watch of the first one's key: a watch made as root, not as nobody.
        var waiting = gateway.Client.LockAsync(new V3Lockpb.LockRequest { Name = Bytes("/al/lock"), Lease = second }, root, EtcdClients.Deadline());
        await EtcdGatewayCluster.WaitUntilAsync(
            async () => (await gateway.Kv.RangeAsync(new RangeRequest { Key = Bytes("/al/lock/"), RangeEnd = Bytes("/al/lock0"), CountOnly = true }, root, EtcdClients.Deadline())).Count == 2,
            "the second contender's key");
        Assert.False(waiting.IsCompleted);
        await gateway.Client.UnlockAsync(new V3Lockpb.UnlockRequest { Key = held.Key }, root, EtcdClients.Deadline());

        var next = await waiting;
        Assert.NotEqual(held.Key, next.Key);
        Assert.StartsWith("/al/lock/", next.Key.ToStringUtf8());
    }

    private static PutRequest Put(string key, string value) => new() { Key = Bytes(key), Value = Bytes(value) };

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    /// <summary>A gateway on a new group (or <paramref name="groupId"/> as it is) with root (password rootpw) and, unless told, auth enabled.</summary>
    private async Task<AuthGateway> AuthGatewayAsync(string groupId, Action<Hosting.EtcdGatewayOptions>? configure = null, TimeProvider? time = null, bool enable = true)
    {
        await fixture.CreateGroupAsync(groupId);
        var (app, endpoint) = await fixture.StartGatewayAsync(
            o =>
            {
                o.GroupId = groupId;
                o.PasswordHashIterations = 1_000;
                configure?.Invoke(o);
            },
            services =>
            {
                if (time is not null)
                {
                    services.AddSingleton(time);
                }
            });
        var gateway = new AuthGateway(app, new EtcdClient(endpoint, configureChannelOptions: options => options.Credentials = ChannelCredentials.Insecure));
        if (enable)
        {
            await gateway.Auth.UserAddAsync(new AuthUserAddRequest { Name = "root", Password = "rootpw" }, deadline: EtcdClients.Deadline());
            await gateway.Auth.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = "root", Role = "root" }, deadline: EtcdClients.Deadline());
            await gateway.Auth.AuthEnableAsync(new AuthEnableRequest(), deadline: EtcdClients.Deadline());
        }

        return gateway;
    }

    private sealed class AuthGateway(WebApplication app, EtcdClient client) : IAsyncDisposable
    {
        public EtcdClient Client => client;

        public Etcdserverpb.Auth.AuthClient Auth => client.GetConnection().AuthClient;

        public KV.KVClient Kv => client.GetConnection().KVClient;

        public Watch.WatchClient Watch => client.GetConnection().WatchClient;

        public async Task<Metadata> TokenAsync(string user, string password)
        {
            var answer = await Auth.AuthenticateAsync(new AuthenticateRequest { Name = user, Password = password }, deadline: EtcdClients.Deadline());
            return new Metadata { { "token", answer.Token } };
        }

        public async ValueTask DisposeAsync()
        {
            client.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
