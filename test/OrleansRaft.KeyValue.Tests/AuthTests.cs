using static OrleansRaft.KeyValue.Tests.Store;

namespace OrleansRaft.KeyValue.Tests;

/// <summary>etcd 3.4's auth store as the state machine applies it: users, roles, permissions, enable, and the checks.</summary>
public sealed class AuthTests
{
    private const int FastHash = 1_000;

    [Fact]
    public void Enable_needs_the_root_user_with_the_root_role()
    {
        var store = new Store();
        Assert.Equal(KvErrorCode.RootUserNotExist, store.Refuse(new AuthEnableRequest()));
        store.Apply<AuthChangedResult>(new UserAddRequest("root", PasswordHash.Create("rootpw", FastHash)));
        Assert.Equal(KvErrorCode.RootRoleNotExist, store.Refuse(new AuthEnableRequest()));

        // The root role need not exist as a role to be granted, as in etcd.
        store.Apply<AuthChangedResult>(new UserGrantRoleRequest("root", "root"));
        store.Apply<AuthChangedResult>(new AuthEnableRequest());
        Assert.True(store.Machine.AuthEnabled);
    }

    [Fact]
    public void Anonymous_requests_are_refused_once_enabled_and_root_may_do_anything()
    {
        var store = Enabled(out var root);
        Assert.Equal(KvErrorCode.UserEmpty, store.Refuse(new PutRequest(B("/a"), B("1"))));
        Assert.Equal(KvErrorCode.UserEmpty, store.RefuseQuery(new RangeRequest(B("/a"))));
        Assert.Equal(KvErrorCode.UserEmpty, store.Refuse(new RoleAddRequest("r")));

        store.Apply<PutResult>(root(new PutRequest(B("/a"), B("1"))));
        Assert.Single(store.Query<RangeResult>(root(new RangeRequest(B("/a")))).Kvs);

        // Plumbing and lease grants need no user, as in etcd.
        store.Apply<SessionOpenedResult>(new OpenSessionRequest());
        store.Apply<LeaseGrantResult>(new LeaseGrantRequest(60));
    }

    [Fact]
    public void A_prefix_permission_allows_inside_and_refuses_outside()
    {
        var store = Enabled(out var root);
        store.Apply<AuthChangedResult>(root(new RoleAddRequest("app")));
        store.Apply<AuthChangedResult>(root(new RoleGrantPermissionRequest("app", new KeyPermission(PermissionType.ReadWrite, B("/app/"), KeyRanges.PrefixEnd("/app/"u8)))));
        store.Apply<AuthChangedResult>(root(new RoleGrantPermissionRequest("app", new KeyPermission(PermissionType.Read, B("/shared")))));
        var alice = User(store, "alice", "alicepw");
        store.Apply<AuthChangedResult>(root(new UserGrantRoleRequest("alice", "app")));

        store.Apply<PutResult>(alice(new PutRequest(B("/app/x"), B("1"))));
        store.Query<RangeResult>(alice(new RangeRequest(B("/app/")) { RangeEnd = KeyRanges.PrefixEnd("/app/"u8) }));
        store.Query<RangeResult>(alice(new RangeRequest(B("/shared"))));
        Assert.Equal(KvErrorCode.PermissionDenied, store.Refuse(alice(new PutRequest(B("/shared"), B("1")))));
        Assert.Equal(KvErrorCode.PermissionDenied, store.Refuse(alice(new PutRequest(B("/other"), B("1")))));
        Assert.Equal(KvErrorCode.PermissionDenied, store.RefuseQuery(alice(new RangeRequest(B("/")) { RangeEnd = KeyRanges.FromKey })));
        Assert.Equal(KvErrorCode.PermissionDenied, store.Refuse(alice(new RoleAddRequest("mine"))));

        // Every operation of a transaction, either branch, and every compare is checked.
        var txn = new TxnRequest
        {
            Compares = [Compare.ForVersion(B("/app/x"), CompareOperator.Greater, 0)],
            Success = [new PutRequest(B("/app/y"), B("2"))],
            Failure = [new PutRequest(B("/other"), B("2"))],
        };
        Assert.Equal(KvErrorCode.PermissionDenied, store.Refuse(alice(txn)));
        Assert.Equal(KvErrorCode.PermissionDenied, store.RefuseQuery(alice(new EventsRequest(B("/other")))));
        Assert.Equal(1, store.Query<RangeResult>(root(new RangeRequest(B("/")) { RangeEnd = KeyRanges.FromKey })).Count);
    }

    [Fact]
    public void A_revoked_role_or_permission_applies_from_the_next_command()
    {
        var store = Enabled(out var root);
        store.Apply<AuthChangedResult>(root(new RoleAddRequest("app")));
        store.Apply<AuthChangedResult>(root(new RoleGrantPermissionRequest("app", new KeyPermission(PermissionType.Write, B("/app/"), KeyRanges.PrefixEnd("/app/"u8)))));
        var bob = User(store, "bob", "bobpw");
        store.Apply<AuthChangedResult>(root(new UserGrantRoleRequest("bob", "app")));
        store.Apply<PutResult>(bob(new PutRequest(B("/app/a"), B("1"))));
        Assert.Equal(KvErrorCode.PermissionDenied, store.RefuseQuery(bob(new RangeRequest(B("/app/a")))));

        store.Apply<AuthChangedResult>(root(new UserRevokeRoleRequest("bob", "app")));
        var revision = store.Revision;
        Assert.Equal(KvErrorCode.PermissionDenied, store.Refuse(bob(new PutRequest(B("/app/a"), B("2")))));
        Assert.Equal(revision, store.Revision);
        Assert.Equal(KvErrorCode.RoleNotGranted, store.Refuse(root(new UserRevokeRoleRequest("bob", "app"))));

        store.Apply<AuthChangedResult>(root(new UserGrantRoleRequest("bob", "app")));
        store.Apply<AuthChangedResult>(root(new RoleRevokePermissionRequest("app", B("/app/"), KeyRanges.PrefixEnd("/app/"u8))));
        Assert.Equal(KvErrorCode.PermissionDenied, store.Refuse(bob(new PutRequest(B("/app/a"), B("3")))));
        Assert.Equal(KvErrorCode.PermissionNotGranted, store.Refuse(root(new RoleRevokePermissionRequest("app", B("/app/"), KeyRanges.PrefixEnd("/app/"u8)))));
    }

    [Fact]
    public void Passwords_are_checked_and_tokens_die_with_a_password_change_a_delete_or_a_new_enable()
    {
        var store = Enabled(out var root);
        store.Apply<AuthChangedResult>(root(new UserAddRequest("carol", PasswordHash.Create("carolpw", FastHash))));
        Assert.Equal(KvErrorCode.AuthFailed, store.RefuseQuery(new AuthenticateRequest("carol", "wrong")));
        Assert.Equal(KvErrorCode.AuthFailed, store.RefuseQuery(new AuthenticateRequest("nobody", "carolpw")));
        var token = store.Query<AuthenticateResult>(new AuthenticateRequest("carol", "carolpw"));
        Assert.Equal("carol", token.User);
        var read = new AsUserRequest("carol", token.AuthRevision, new RangeRequest(B("/none")));
        Assert.Equal(KvErrorCode.PermissionDenied, store.RefuseQuery(read));

        store.Apply<AuthChangedResult>(root(new UserChangePasswordRequest("carol", PasswordHash.Create("newpw", FastHash))));
        Assert.Equal(KvErrorCode.InvalidAuthToken, store.RefuseQuery(read));
        Assert.Equal(KvErrorCode.AuthFailed, store.RefuseQuery(new AuthenticateRequest("carol", "carolpw")));
        store.Query<AuthenticateResult>(new AuthenticateRequest("carol", "newpw"));
        Assert.Equal(KvErrorCode.InvalidAuthToken, store.RefuseQuery(AsUserRequest.InvalidToken(new RangeRequest(B("/a")))));

        // A token of root's from before a disable and enable is refused; a fresh one works.
        var before = store.Query<AuthenticateResult>(new AuthenticateRequest("root", "rootpw")).AuthRevision;
        store.Apply<AuthChangedResult>(root(new AuthDisableRequest()));
        store.Apply<AuthChangedResult>(new AsUserRequest("root", 0, new AuthEnableRequest()));
        Assert.Equal(KvErrorCode.InvalidAuthToken, store.Refuse(new AsUserRequest("root", before, new PutRequest(B("/a"), B("1")))));
        store.Apply<PutResult>(root(new PutRequest(B("/a"), B("1"))));
    }

    [Fact]
    public void Root_cannot_be_locked_out_while_enabled_and_names_are_checked()
    {
        var store = Enabled(out var root);
        store.Apply<AuthChangedResult>(root(new RoleAddRequest("taken")));
        var before = store.StateBytes();
        Assert.Equal(KvErrorCode.RoleExists, store.Refuse(root(new RoleAddRequest("taken"))));
        Assert.Equal(KvErrorCode.InvalidAuthManagement, store.Refuse(root(new UserDeleteRequest("root"))));
        Assert.Equal(KvErrorCode.InvalidAuthManagement, store.Refuse(root(new UserRevokeRoleRequest("root", "root"))));
        Assert.Equal(KvErrorCode.InvalidAuthManagement, store.Refuse(root(new RoleDeleteRequest("root"))));
        Assert.Equal(KvErrorCode.UserEmpty, store.Refuse(root(new UserAddRequest("", default))));
        Assert.Equal(KvErrorCode.RoleEmpty, store.Refuse(root(new RoleAddRequest(""))));
        Assert.Equal(KvErrorCode.UserExists, store.Refuse(root(new UserAddRequest("root", default))));
        Assert.Equal(KvErrorCode.UserNotFound, store.Refuse(root(new UserGrantRoleRequest("nobody", "root"))));
        Assert.Equal(KvErrorCode.RoleNotFound, store.Refuse(root(new UserGrantRoleRequest("root", "nothing"))));
        Assert.Equal(KvErrorCode.InvalidArgument, store.Refuse(root(new UserAddRequest("dave", B("not a hash")))));
        Assert.Equal(before, store.StateBytes());
        Assert.Equal(KvErrorCode.AuthNotEnabled, new Store().RefuseQuery(new AuthenticateRequest("root", "rootpw")));
    }

    [Fact]
    public void Users_and_roles_list_in_order_and_a_role_keeps_one_permission_per_range_in_key_order()
    {
        var store = Enabled(out var root);
        store.Apply<AuthChangedResult>(root(new RoleAddRequest("r")));
        store.Apply<AuthChangedResult>(root(new RoleGrantPermissionRequest("r", new KeyPermission(PermissionType.Write, B("/b")))));
        store.Apply<AuthChangedResult>(root(new RoleGrantPermissionRequest("r", new KeyPermission(PermissionType.Read, B("/a"), B("/c")))));
        store.Apply<AuthChangedResult>(root(new RoleGrantPermissionRequest("r", new KeyPermission(PermissionType.ReadWrite, B("/b")))));
        var role = store.Query<RoleResult>(root(new RoleGetRequest("r")));
        Assert.Equal(["/a:/c:Read", "/b::ReadWrite"], role.Permissions.Select(p => $"{S(p.Key)}:{S(p.RangeEnd)}:{p.Type}"));

        User(store, "zed", "pw");
        User(store, "amy", "pw");
        Assert.Equal(["amy", "root", "zed"], store.Query<NameListResult>(root(new UserListRequest())).Names);
        Assert.Equal(["r"], store.Query<NameListResult>(root(new RoleListRequest())).Names);
        store.Apply<AuthChangedResult>(root(new UserGrantRoleRequest("amy", "r")));
        store.Apply<AuthChangedResult>(root(new RoleDeleteRequest("r")));
        Assert.Empty(store.Query<UserResult>(root(new UserGetRequest("amy"))).Roles);
    }

    [Fact]
    public void Lease_keys_need_write_permission_to_revoke_or_extend()
    {
        var store = Enabled(out var root);
        var lease = store.Apply<LeaseGrantResult>(new LeaseGrantRequest(60)).Id;
        store.Apply<PutResult>(root(new PutRequest(B("/secret"), B("1")) { Lease = lease }));
        store.Apply<AuthChangedResult>(root(new RoleAddRequest("app")));
        store.Apply<AuthChangedResult>(root(new RoleGrantPermissionRequest("app", new KeyPermission(PermissionType.ReadWrite, B("/app/"), KeyRanges.PrefixEnd("/app/"u8)))));
        var eve = User(store, "eve", "pw");
        store.Apply<AuthChangedResult>(root(new UserGrantRoleRequest("eve", "app")));

        Assert.Equal(KvErrorCode.PermissionDenied, store.Refuse(eve(new LeaseRevokeRequest(lease))));
        Assert.Equal(KvErrorCode.PermissionDenied, store.Refuse(eve(new PutRequest(B("/app/k"), B("1")) { Lease = lease })));
        store.Apply<LeaseRevokeResult>(root(new LeaseRevokeRequest(lease)));
    }

    [Fact]
    public void A_snapshot_carries_the_auth_state_and_an_untouched_one_keeps_the_old_format()
    {
        var plain = new Store();
        plain.Put("/a", "1");
        Assert.Equal(1, plain.Machine.Snapshot()[4]);

        var store = Enabled(out var root);
        store.Apply<AuthChangedResult>(root(new RoleAddRequest("app")));
        store.Apply<AuthChangedResult>(root(new RoleGrantPermissionRequest("app", new KeyPermission(PermissionType.Read, B("/app/"), KeyRanges.PrefixEnd("/app/"u8)))));
        User(store, "frank", "frankpw");
        store.Apply<AuthChangedResult>(root(new UserGrantRoleRequest("frank", "app")));
        var snapshot = store.Machine.Snapshot();

        var copy = new KvStateMachine();
        copy.Restore(snapshot);
        Assert.Equal(snapshot, copy.Snapshot());
        Assert.True(copy.AuthEnabled);
        Assert.Equal(store.Machine.AuthRevision, copy.AuthRevision);
        var restored = new Store(copy);
        Assert.Equal(["app"], restored.Query<UserResult>(new AsUserRequest("root", copy.AuthRevision, new UserGetRequest("frank"))).Roles);
        restored.Query<AuthenticateResult>(new AuthenticateRequest("frank", "frankpw"));
        Assert.Equal(KvErrorCode.UserEmpty, restored.RefuseQuery(new RangeRequest(B("/app/x"))));
    }

    [Fact]
    public void Permission_ranges_cover_as_etcd_merges_them()
    {
        KeyPermission P(string key, string end = "") => new(PermissionType.Read, B(key), B(end));
        Assert.True(PermissionRanges.Covers([P("/a", "/c"), P("/c", "/e")], B("/b"), B("/d")));
        Assert.False(PermissionRanges.Covers([P("/a", "/c"), P("/d", "/e")], B("/b"), B("/d")));
        Assert.True(PermissionRanges.Covers([P("/k")], B("/k"), default));
        Assert.False(PermissionRanges.Covers([P("/k")], B("/k"), B("/l")));
        Assert.True(PermissionRanges.Covers([P("/k", "\0")], B("/z"), KeyRanges.FromKey.Span));
        Assert.False(PermissionRanges.Covers([P("/k", "/z")], B("/m"), KeyRanges.FromKey.Span));
        Assert.False(PermissionRanges.Covers([], B("/k"), default));
    }

    /// <summary>A store with root (password rootpw, role root) and auth enabled; <paramref name="root"/> wraps a request as root's.</summary>
    private static Store Enabled(out Func<KvRequest, KvRequest> root)
    {
        var store = new Store();
        store.Apply<AuthChangedResult>(new UserAddRequest("root", PasswordHash.Create("rootpw", FastHash)));
        store.Apply<AuthChangedResult>(new UserGrantRoleRequest("root", "root"));
        store.Apply<AuthChangedResult>(new AuthEnableRequest());
        var machine = store.Machine;
        root = request => new AsUserRequest("root", machine.AuthRevision, request);
        return store;
    }

    /// <summary>Adds a user as root and returns a wrapper for its requests with a token issued now.</summary>
    private static Func<KvRequest, KvRequest> User(Store store, string name, string password)
    {
        store.Apply<AuthChangedResult>(new AsUserRequest("root", store.Machine.AuthRevision, new UserAddRequest(name, PasswordHash.Create(password, FastHash))));
        var token = store.Query<AuthenticateResult>(new AuthenticateRequest(name, password));
        return request => new AsUserRequest(name, token.AuthRevision, request);
    }
}
