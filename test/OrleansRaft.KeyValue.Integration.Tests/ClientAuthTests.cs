using Orleans.Runtime;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.KeyValue.Hosting;
using OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>
/// etcd's users and roles for Orleans clients: a <see cref="KvClient"/> with credentials authenticates through a silo
/// and calls as the user the silo verified; one without, or with a wrong password, an expired token, a forged user or a
/// revoked role, gets etcd's errors and changes nothing. Administration follows the admin group's root role, beside the
/// admin token.
/// </summary>
public sealed class ClientAuthTests : IClassFixture<ClientAuthTests.Fixture>
{
    private const string AdminGroup = "auth-admin";
    private static readonly TimeSpan TokenTtl = TimeSpan.FromMinutes(5);
    private readonly Fixture _fixture;

    public ClientAuthTests(Fixture fixture) => _fixture = fixture;

    private KvCluster Kv => _fixture.Cluster;

    [Fact]
    public async Task With_auth_enabled_a_client_without_credentials_is_refused_and_a_limited_user_is_kept_inside_its_prefix()
    {
        const string group = "auth-scope";
        await Kv.CreateGroupAsync(group);
        await EnableAuthAsync(group);

        await using var anonymous = await Kv.ConnectAsync(group);
        var empty = await Assert.ThrowsAsync<KvRequestException>(() => anonymous.PutAsync("/app/x", "1"));
        Assert.Equal(KvErrorCode.UserEmpty, empty.Code);
        Assert.Equal(KvErrorCode.UserEmpty, (await Assert.ThrowsAsync<KvRequestException>(() => anonymous.GetAsync("/app/x"))).Code);

        await using var alice = await Kv.ConnectAsync(group, As("alice", "alice-pw"));
        await alice.PutAsync("/app/x", "1");
        Assert.Equal("1", KvBytes.ToText((await alice.GetAsync("/app/x"))!.Value));
        var outside = await Assert.ThrowsAsync<KvRequestException>(() => alice.PutAsync("/other", "no"));
        Assert.Equal(KvErrorCode.PermissionDenied, outside.Code);
        Assert.Equal(KvErrorCode.PermissionDenied, (await Assert.ThrowsAsync<KvRequestException>(() => alice.GetAsync("/other"))).Code);

        await using var wrong = await Kv.ConnectAsync(group, As("alice", "not-her-password"));
        var failed = await Assert.ThrowsAsync<KvRequestException>(() => wrong.PutAsync("/app/x", "2"));
        Assert.Equal(KvErrorCode.AuthFailed, failed.Code);

        await using var root = await Kv.ConnectAsync(group, As("root", "root-pw"));
        Assert.Null(await root.GetAsync("/other"));
        Assert.Equal("1", KvBytes.ToText((await root.GetAsync("/app/x"))!.Value));
    }

    [Fact]
    public async Task A_user_named_by_the_client_without_its_token_is_refused_and_changes_nothing()
    {
        const string group = "auth-forged";
        var members = await Kv.CreateGroupAsync(group);
        await EnableAuthAsync(group);
        var alice = await Kv.Client.GetGrain<IKvAuthGrain>(0).AuthenticateAsync(group, "alice", "alice-pw");
        var root = await Kv.Client.GetGrain<IKvAuthGrain>(0).AuthenticateAsync(group, "root", "root-pw");
        var forged = new PutRequest(KvBytes.From("/other"), KvBytes.From("forged"));

        // Root named with no token, with alice's token, and with root's token of another group: all refused at the silo.
        Assert.Equal(KvErrorCode.InvalidAuthToken, await ProposeEverywhereAsync(group, members, new AsUserRequest("root", root.AuthRevision, forged), token: null));
        Assert.Equal(KvErrorCode.InvalidAuthToken, await ProposeEverywhereAsync(group, members, new AsUserRequest("root", alice.AuthRevision, forged), alice.Token));
        var elsewhere = await Kv.Client.GetGrain<IKvAuthGrain>(0).AuthenticateAsync(AdminGroup, "root", "root-pw");
        Assert.Equal(KvErrorCode.InvalidAuthToken, await ProposeEverywhereAsync(group, members, new AsUserRequest("root", elsewhere.AuthRevision, forged), elsewhere.Token));

        // A certificate's name is the gateway's to vouch for, never a client's.
        Assert.Equal(KvErrorCode.InvalidAuthToken, await ProposeEverywhereAsync(group, members, new AsUserRequest("root", AsUserRequest.CertifiedRevision, forged), alice.Token));

        await using var asRoot = await Kv.ConnectAsync(group, As("root", "root-pw"));
        Assert.Null(await asRoot.GetAsync("/other"));

        // The same request with root's own token is root's.
        Assert.Equal((KvErrorCode)0, await ProposeEverywhereAsync(group, members, new AsUserRequest("root", root.AuthRevision, forged), root.Token, expectRefusal: false));
        Assert.Equal("forged", KvBytes.ToText((await asRoot.GetAsync("/other"))!.Value));
    }

    [Fact]
    public async Task An_expired_token_is_refused_and_the_client_authenticates_again_without_its_caller_seeing_it()
    {
        const string group = "auth-expiry";
        var members = await Kv.CreateGroupAsync(group);
        await EnableAuthAsync(group);
        await using var alice = await Kv.ConnectAsync(group, As("alice", "alice-pw"));
        await alice.PutAsync("/app/before", "1");
        var old = await Kv.Client.GetGrain<IKvAuthGrain>(0).AuthenticateAsync(group, "alice", "alice-pw");
        Assert.Equal((KvErrorCode)0, await ReadEverywhereAsync(group, members, new AsUserRequest("alice", old.AuthRevision, new RangeRequest(KvBytes.From("/app/before"))), old.Token, expectRefusal: false));

        _fixture.Clock.Advance(TokenTtl + TimeSpan.FromSeconds(1));

        Assert.Equal(KvErrorCode.InvalidAuthToken, await ReadEverywhereAsync(group, members, new AsUserRequest("alice", old.AuthRevision, new RangeRequest(KvBytes.From("/app/before"))), old.Token));
        await alice.PutAsync("/app/after", "2");
        Assert.Equal("2", KvBytes.ToText((await alice.GetAsync("/app/after"))!.Value));
    }

    [Fact]
    public async Task A_revoked_role_refuses_the_next_call_and_a_changed_password_ends_the_old_one()
    {
        const string group = "auth-revoke";
        await Kv.CreateGroupAsync(group);
        await EnableAuthAsync(group);
        await using var alice = await Kv.ConnectAsync(group, As("alice", "alice-pw"));
        await using var root = await Kv.ConnectAsync(group, As("root", "root-pw"));
        await alice.PutAsync("/app/x", "1");

        await root.WriteAsync<AuthChangedResult>(new UserRevokeRoleRequest("alice", "app"));

        Assert.Equal(KvErrorCode.PermissionDenied, (await Assert.ThrowsAsync<KvRequestException>(() => alice.PutAsync("/app/x", "2"))).Code);
        Assert.Equal("1", KvBytes.ToText((await root.GetAsync("/app/x"))!.Value));

        await root.WriteAsync<AuthChangedResult>(new UserGrantRoleRequest("alice", "app"));
        await alice.PutAsync("/app/x", "3");
        await root.WriteAsync<AuthChangedResult>(new UserChangePasswordRequest("alice", PasswordHash.Create("new-pw", 1_000)));

        // Her token predates the change: the store refuses it, and the client's password no longer authenticates.
        Assert.Equal(KvErrorCode.AuthFailed, (await Assert.ThrowsAsync<KvRequestException>(() => alice.PutAsync("/app/x", "4"))).Code);
        await using var renewed = await Kv.ConnectAsync(group, As("alice", "new-pw"));
        Assert.Equal("3", KvBytes.ToText((await renewed.GetAsync("/app/x"))!.Value));
    }

    [Fact]
    public async Task A_root_user_of_the_admin_group_administers_groups_a_user_without_root_is_refused_and_the_admin_token_still_works()
    {
        var asRoot = new RaftGroupAdmin(Kv.Client, new KvUserCredentials("root", "root-pw"), AdminGroup);
        var asAlice = new RaftGroupAdmin(Kv.Client, new KvUserCredentials("alice", "alice-pw"), AdminGroup);

        var made = await asRoot.CreateKeyValueGroupAsync("auth-made-by-root", members: 1);
        Assert.Equal([1UL], made.Members);
        var refused = await Assert.ThrowsAsync<RaftAdminAuthenticationException>(() => asAlice.CreateKeyValueGroupAsync("auth-made-by-alice", members: 1));
        Assert.Contains("alice does not hold the role root", refused.Message);
        Assert.DoesNotContain("alice-pw", refused.Message);
        Assert.Null(await asRoot.DescribeAsync("auth-made-by-alice"));
        var wrong = await Assert.ThrowsAsync<KvRequestException>(() => new RaftGroupAdmin(Kv.Client, new KvUserCredentials("root", "guess"), AdminGroup).DeleteAsync("auth-made-by-root"));
        Assert.Equal(KvErrorCode.AuthFailed, wrong.Code);

        // Membership of the admin group itself, whose admin grain serves the call that asks its members.
        var caller = new KvAdminCaller(Kv.Client, new KvUserCredentials("root", "root-pw"), AdminGroup);
        var membership = await caller.CallAsync(() => Kv.Client.GetGrain<IRaftGroupGrain>(AdminGroup).ListMembersAsync(null));
        Assert.Equal([1UL, 2, 3], membership!.Voters);

        Assert.True(await asRoot.DeleteAsync("auth-made-by-root"));
        var withToken = new RaftGroupAdmin(Kv.Client, KvCluster.AdminToken);
        await withToken.CreateKeyValueGroupAsync("auth-made-by-token", members: 1);
        Assert.True(await withToken.DeleteAsync("auth-made-by-token"));
    }

    /// <summary>Adds root (role root), the role app (read and write under <c>/app/</c>) and alice (role app), then enables auth.</summary>
    private async Task EnableAuthAsync(string group)
    {
        await using var setup = await Kv.ConnectAsync(group);
        await SetUpUsersAsync(setup);
    }

    internal static async Task SetUpUsersAsync(KvClient setup)
    {
        await setup.WriteAsync<AuthChangedResult>(new UserAddRequest("root", PasswordHash.Create("root-pw", 1_000)));
        await setup.WriteAsync<AuthChangedResult>(new UserGrantRoleRequest("root", "root"));
        await setup.WriteAsync<AuthChangedResult>(new RoleAddRequest("app"));
        var app = KvBytes.From("/app/");
        await setup.WriteAsync<AuthChangedResult>(new RoleGrantPermissionRequest("app", new KeyPermission(PermissionType.ReadWrite, app, KeyRanges.PrefixEnd(app))));
        await setup.WriteAsync<AuthChangedResult>(new UserAddRequest("alice", PasswordHash.Create("alice-pw", 1_000)));
        await setup.WriteAsync<AuthChangedResult>(new UserGrantRoleRequest("alice", "app"));
        await setup.WriteAsync<AuthChangedResult>(new AuthEnableRequest());
    }

    private static KvClientOptions As(string user, string password) => new() { Credentials = new KvUserCredentials(user, password) };

    /// <summary>
    /// Proposes <paramref name="request"/> straight to each member, with <paramref name="token"/> in the call's request
    /// context: the leader's answer (followers answer NotLeader), as the store's error code, 0 for a success.
    /// </summary>
    private async Task<KvErrorCode> ProposeEverywhereAsync(string group, IReadOnlyList<ulong> members, KvRequest request, string? token, bool expectRefusal = true)
    {
        KvErrorCode? answer = null;
        await KvCluster.WaitUntilAsync(async () =>
        {
            foreach (var id in members)
            {
                var reply = await WithTokenAsync(token, () => KvMember.Of(Kv.Client, group, id).ProposeAsync(new KvCommand(request)));
                if (reply.IsOk)
                {
                    answer = reply.Result is ErrorResult error ? error.Code : 0;
                    return true;
                }
            }

            return false;
        }, "a member to answer the proposal");
        Assert.Equal(expectRefusal, answer != 0);
        return answer!.Value;
    }

    /// <summary>A linearizable read of <paramref name="request"/> at each member in turn, as <see cref="ProposeEverywhereAsync"/>.</summary>
    private async Task<KvErrorCode> ReadEverywhereAsync(string group, IReadOnlyList<ulong> members, KvRequest request, string? token, bool expectRefusal = true)
    {
        KvErrorCode? answer = null;
        await KvCluster.WaitUntilAsync(async () =>
        {
            foreach (var id in members)
            {
                var reply = await WithTokenAsync(token, () => KvMember.Of(Kv.Client, group, id).ReadAsync(KvCodec.EncodeQuery(request)));
                if (reply.IsOk)
                {
                    answer = reply.Result is ErrorResult error ? error.Code : 0;
                    return true;
                }
            }

            return false;
        }, "a member to answer the read");
        Assert.Equal(expectRefusal, answer != 0);
        return answer!.Value;
    }

    private static async Task<T> WithTokenAsync<T>(string? token, Func<Task<T>> call)
    {
        if (token is not null)
        {
            RequestContext.Set(RaftCallerCredential.RequestContextKey, token);
        }

        try
        {
            return await call();
        }
        finally
        {
            RequestContext.Remove(RaftCallerCredential.RequestContextKey);
        }
    }

    /// <summary>A 3-silo cluster whose token clock the tests move, with the admin group's users set up and its auth enabled.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private KvCluster? _cluster;

        public ManualClock Clock { get; } = new();

        public KvCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster has not started.");

        public async Task InitializeAsync()
        {
            _cluster = await KvCluster.StartAsync(3, configureSilo: silo => silo.ConfigureRaftKeyValueAuth(o =>
            {
                o.TokenKey = "client-auth-tests-token-key";
                o.TokenTtl = TokenTtl;
                o.AdminGroup = AdminGroup;
                o.TimeProvider = Clock;
            }));
            await _cluster.CreateGroupAsync(AdminGroup);
            await using var setup = await _cluster.ConnectAsync(AdminGroup);
            await SetUpUsersAsync(setup);
        }

        public async Task DisposeAsync()
        {
            if (_cluster is not null)
            {
                await _cluster.DisposeAsync();
            }
        }
    }
}
