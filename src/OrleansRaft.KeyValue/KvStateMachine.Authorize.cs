namespace OrleansRaft.KeyValue;

/// <summary>
/// etcd's permission checks, made where the request is applied or served, against the auth state of that moment: a
/// role revoked before a command's index is revoked for it, on every member alike. While auth is disabled everything
/// is allowed. While it is enabled: auth management needs the root role; reads and writes of keys need a role with a
/// permission covering every key they touch (the root role covers all); a request without a user is refused with
/// <see cref="KvErrorCode.UserEmpty"/>. The store's own plumbing (ticks, sessions, status) and, as in etcd, lease
/// grants, keepalives and queries and compaction need no user.
/// </summary>
public sealed partial class KvStateMachine
{
    /// <summary>Whether auth is enabled: requests are then checked against the caller's roles.</summary>
    public bool AuthEnabled => state.Auth.Enabled;

    /// <summary>The auth revision: raised by every change of users, roles, permissions or the enabled flag.</summary>
    public ulong AuthRevision => state.Auth.Revision;

    /// <summary>The request to run, once the caller (if <paramref name="request"/> names one) may make it.</summary>
    private KvRequest Authorize(KvRequest request)
    {
        var caller = request as AsUserRequest;
        var op = caller?.Request ?? request;
        if (op is AsUserRequest)
        {
            throw Fail.With(KvErrorCode.InvalidArgument, $"a request is made on behalf of one user, not nested");
        }

        if (!state.Auth.Enabled)
        {
            return op;
        }

        // As in etcd, a token that does not hold refuses any request it comes with.
        var user = caller is null ? null : TokenUser(caller);
        if (NeedsNoUser(op))
        {
            return op;
        }

        if (user is null)
        {
            // With a caller, a certificate named a user that does not exist: refused as etcd refuses it.
            throw caller is null ? UserEmpty()
                : IsAuthManagement(op) ? Fail.With(KvErrorCode.UserNotFound, $"the user {caller.User} does not exist")
                : Fail.With(KvErrorCode.PermissionDenied, $"the user {caller.User} does not exist");
        }

        // As etcd's maintenance server, a hash or a snapshot of the whole store is for the root role alone.
        if (IsAuthManagement(op) || op is HashKvRequest or StoreSnapshotRequest)
        {
            return user.HasRootRole
                ? op
                : throw Fail.With(KvErrorCode.PermissionDenied,
                    $"{(IsAuthManagement(op) ? "managing auth" : "hashing or copying the whole store")} needs the role {AuthState.Root}; user {user.Name} does not hold it");
        }

        if (!user.HasRootRole)
        {
            CheckKeys(user, op);
        }

        return op;
    }

    private static bool NeedsNoUser(KvRequest op) => op is TickRequest or OpenSessionRequest or CloseSessionRequest or StatusRequest
        or AuthStatusRequest or AuthenticateRequest or LeaseGrantRequest or LeaseKeepAliveRequest or LeaseTimeToLiveRequest or LeaseListRequest
        or CompactRequest;

    private static bool IsAuthManagement(KvRequest op) => op is AuthEnableRequest or AuthDisableRequest or UserAddRequest or UserDeleteRequest
        or UserChangePasswordRequest or UserGrantRoleRequest or UserRevokeRoleRequest or UserGetRequest or UserListRequest or RoleAddRequest
        or RoleDeleteRequest or RoleGrantPermissionRequest or RoleRevokePermissionRequest or RoleGetRequest or RoleListRequest;

    private static KvException UserEmpty() => new(KvErrorCode.UserEmpty, "auth is enabled and the request names no user");

    /// <summary>
    /// The user a token names, if the token still holds: its user exists and neither changed nor saw auth enabled
    /// again since it was issued. A caller at <see cref="AsUserRequest.CertifiedRevision"/> (a client certificate's
    /// name) has no token to lose: null when its user does not exist.
    /// </summary>
    private AuthUser? TokenUser(AsUserRequest caller)
    {
        var auth = state.Auth;
        if (caller.TokenRevision == AsUserRequest.CertifiedRevision && caller.User.Length > 0)
        {
            return auth.Users.GetValueOrDefault(caller.User);
        }

        if (caller.User.Length == 0 || !auth.Users.TryGetValue(caller.User, out var user)
            || caller.TokenRevision < user.CredentialRevision || caller.TokenRevision < auth.EnabledRevision)
        {
            throw new KvException(KvErrorCode.InvalidAuthToken, "the auth token is unknown, expired, or older than its user's last change");
        }

        return user;
    }

    /// <summary>etcd's checks per operation: reads need read, writes need write, prevKv needs read, a lease's keys need write.</summary>
    private void CheckKeys(AuthUser user, KvRequest op)
    {
        switch (op)
        {
            case RangeRequest range:
                Require(user, PermissionType.Read, range.Key.Span, range.RangeEnd.Span);
                break;
            case PutRequest put:
                Require(user, PermissionType.Write, put.Key.Span, default);
                if (put.PrevKv)
                {
                    Require(user, PermissionType.Read, put.Key.Span, default);
                }

                RequireLeaseKeys(user, put.Lease);
                break;
            case DeleteRangeRequest delete:
                if (delete.PrevKv)
                {
                    Require(user, PermissionType.Read, delete.Key.Span, delete.RangeEnd.Span);
                }

                Require(user, PermissionType.Write, delete.Key.Span, delete.RangeEnd.Span);
                break;
            case TxnRequest txn:
                foreach (var compare in txn.Compares)
                {
                    Require(user, PermissionType.Read, compare.Key.Span, compare.RangeEnd.Span);
                }

                foreach (var inner in txn.Success.Concat(txn.Failure))
                {
                    CheckKeys(user, inner);
                }

                break;
            case EventsRequest events:
                Require(user, PermissionType.Read, events.Key.Span, events.RangeEnd.Span);
                break;
            case ListDirectoryRequest directory:
                Require(user, PermissionType.Read, directory.Directory.Span, KeyRanges.PrefixEnd(directory.Directory.Span));
                break;
            case LeaseRevokeRequest revoke:
                RequireLeaseKeys(user, revoke.Id);
                break;
            case PermissionCheckRequest check:
                if (check.Type != PermissionType.Write)
                {
                    Require(user, PermissionType.Read, check.Key.Span, check.RangeEnd.Span);
                }

                if (check.Type != PermissionType.Read)
                {
                    Require(user, PermissionType.Write, check.Key.Span, check.RangeEnd.Span);
                }

                break;
            default:
                throw Fail.With(KvErrorCode.PermissionDenied, $"a {op.Kind} request is not allowed to user {user.Name}");
        }
    }

    /// <summary>A user that cannot write every key of a lease may neither revoke it nor attach more keys to it (as in etcd).</summary>
    private void RequireLeaseKeys(AuthUser user, long leaseId)
    {
        if (leaseId == 0 || state.Leases.Get(leaseId) is not { } lease)
        {
            return;
        }

        foreach (var history in lease.Keys)
        {
            Require(user, PermissionType.Write, history.Key.Span, default);
        }
    }

    private void Require(AuthUser user, PermissionType type, ReadOnlySpan<byte> key, ReadOnlySpan<byte> rangeEnd)
    {
        var granted = new List<KeyPermission>();
        foreach (var roleName in user.Roles)
        {
            if (state.Auth.Roles.TryGetValue(roleName, out var role))
            {
                granted.AddRange(role.Permissions.Where(p => p.Allows(type)));
            }
        }

        if (!PermissionRanges.Covers(granted, key, rangeEnd))
        {
            throw Fail.With(KvErrorCode.PermissionDenied, $"user {user.Name} may not {(type == PermissionType.Read ? "read" : "write")} the keys asked for");
        }
    }
}
