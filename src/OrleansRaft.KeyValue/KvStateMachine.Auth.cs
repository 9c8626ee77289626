namespace OrleansRaft.KeyValue;

/// <summary>
/// etcd's auth store as part of the replicated state: users with password hashes and roles, roles with key-range
/// permissions, the enabled flag, and an auth revision that every change raises. Each change is a command, so every
/// member holds the same users and roles at the same index; passwords arrive hashed (<see cref="PasswordHash"/>).
/// The refusals follow etcd 3.4: a grant of a role the user already holds, and an enable or disable that finds auth
/// already so, succeed without a change.
/// </summary>
public sealed partial class KvStateMachine
{
    private KvResult RunAuthCommand(KvRequest request)
    {
        var auth = state.Auth;
        switch (request)
        {
            case AuthEnableRequest:
                if (auth.Enabled)
                {
                    return AuthChanged();
                }

                if (!auth.Users.TryGetValue(AuthState.Root, out var root))
                {
                    throw Fail.With(KvErrorCode.RootUserNotExist, $"auth cannot be enabled without the user {AuthState.Root}");
                }

                if (!root.HasRootRole)
                {
                    throw Fail.With(KvErrorCode.RootRoleNotExist, $"auth cannot be enabled while the user {AuthState.Root} lacks the role {AuthState.Root}");
                }

                auth.Enabled = true;
                auth.EnabledRevision = BumpAuth();
                return AuthChanged();
            case AuthDisableRequest:
                if (!auth.Enabled)
                {
                    return AuthChanged();
                }

                auth.Enabled = false;
                BumpAuth();
                return AuthChanged();
            case UserAddRequest add:
                ValidateName(add.Name, KvErrorCode.UserEmpty, "user");
                ValidateHash(add.PasswordHash.Span);
                if (auth.Users.ContainsKey(add.Name))
                {
                    throw Fail.With(KvErrorCode.UserExists, $"the user {add.Name} exists");
                }

                auth.Users.Add(add.Name, new AuthUser(add.Name, add.PasswordHash.ToArray(), BumpAuth()));
                return AuthChanged();
            case UserDeleteRequest delete:
                if (auth.Enabled && delete.Name == AuthState.Root)
                {
                    throw Fail.With(KvErrorCode.InvalidAuthManagement, $"the user {AuthState.Root} cannot be deleted while auth is enabled");
                }

                _ = UserNamed(delete.Name);
                auth.Users.Remove(delete.Name);
                BumpAuth();
                return AuthChanged();
            case UserChangePasswordRequest change:
            {
                var user = UserNamed(change.Name);
                ValidateHash(change.PasswordHash.Span);
                user.PasswordHash = change.PasswordHash.ToArray();
                user.CredentialRevision = BumpAuth();
                return AuthChanged();
            }

            case UserGrantRoleRequest grant:
            {
                var user = UserNamed(grant.User);
                if (grant.Role != AuthState.Root)
                {
                    _ = RoleNamed(grant.Role);
                }

                if (!user.Roles.Add(grant.Role))
                {
                    return AuthChanged();
                }

                BumpAuth();
                return AuthChanged();
            }

            case UserRevokeRoleRequest revoke:
            {
                if (auth.Enabled && revoke.User == AuthState.Root && revoke.Role == AuthState.Root)
                {
                    throw Fail.With(KvErrorCode.InvalidAuthManagement, $"the role {AuthState.Root} cannot be revoked from the user {AuthState.Root} while auth is enabled");
                }

                var user = UserNamed(revoke.User);
                if (!user.Roles.Remove(revoke.Role))
                {
                    throw Fail.With(KvErrorCode.RoleNotGranted, $"the user {revoke.User} does not hold the role {revoke.Role}");
                }

                BumpAuth();
                return AuthChanged();
            }

            case RoleAddRequest add:
                ValidateName(add.Name, KvErrorCode.RoleEmpty, "role");
                if (auth.Roles.ContainsKey(add.Name))
                {
                    throw Fail.With(KvErrorCode.RoleExists, $"the role {add.Name} exists");
                }

                auth.Roles.Add(add.Name, new AuthRole(add.Name));
                BumpAuth();
                return AuthChanged();
            case RoleDeleteRequest delete:
                if (auth.Enabled && delete.Name == AuthState.Root)
                {
                    throw Fail.With(KvErrorCode.InvalidAuthManagement, $"the role {AuthState.Root} cannot be deleted while auth is enabled");
                }

                _ = RoleNamed(delete.Name);
                auth.Roles.Remove(delete.Name);
                foreach (var user in auth.Users.Values)
                {
                    user.Roles.Remove(delete.Name);
                }

                BumpAuth();
                return AuthChanged();
            case RoleGrantPermissionRequest grant:
            {
                var role = RoleNamed(grant.Role);
                var permission = grant.Permission;
                if (permission.Type is not (PermissionType.Read or PermissionType.Write or PermissionType.ReadWrite))
                {
                    throw Fail.With(KvErrorCode.InvalidArgument, $"unknown permission type {(int)permission.Type}");
                }

                if (permission.Key.Length > limits.MaxKeyBytes || permission.RangeEnd.Length > limits.MaxKeyBytes)
                {
                    throw Fail.With(KvErrorCode.KeyTooLarge, $"a permission's key and range end have at most {limits.MaxKeyBytes} bytes");
                }

                var stored = new KeyPermission(permission.Type, permission.Key.ToArray(), permission.RangeEnd.ToArray());
                var same = role.Permissions.FindIndex(p => p.SameRange(stored.Key.Span, stored.RangeEnd.Span));
                if (same >= 0)
                {
                    role.Permissions[same] = stored;
                }
                else
                {
                    var at = role.Permissions.FindIndex(p => KeyPermission.Compare(p, stored) > 0);
                    role.Permissions.Insert(at < 0 ? role.Permissions.Count : at, stored);
                }

                BumpAuth();
                return AuthChanged();
            }

            case RoleRevokePermissionRequest revoke:
            {
                var role = RoleNamed(revoke.Role);
                if (role.Permissions.RemoveAll(p => p.SameRange(revoke.Key.Span, revoke.RangeEnd.Span)) == 0)
                {
                    throw Fail.With(KvErrorCode.PermissionNotGranted, $"the role {revoke.Role} has no permission on that range");
                }

                BumpAuth();
                return AuthChanged();
            }

            default:
                throw new InvalidOperationException($"A {request.Kind} request is not an auth command.");
        }
    }

    private KvResult RunAuthQuery(KvRequest request)
    {
        var auth = state.Auth;
        return request switch
        {
            AuthenticateRequest login => Authenticate(login),
            UserGetRequest get => new UserResult(state.Revision, get.Name, [.. UserNamed(get.Name).Roles]),
            UserListRequest => new NameListResult(state.Revision, [.. auth.Users.Keys]),
            RoleGetRequest get => new RoleResult(state.Revision, get.Name, [.. RoleNamed(get.Name).Permissions]),
            RoleListRequest => new NameListResult(state.Revision, [.. auth.Roles.Keys]),
            AuthStatusRequest or PermissionCheckRequest => new AuthStatusResult(state.Revision, auth.Enabled, auth.Revision),
            _ => throw new InvalidOperationException($"A {request.Kind} request is not an auth query."),
        };
    }

    private AuthenticateResult Authenticate(AuthenticateRequest login)
    {
        var auth = state.Auth;
        if (!auth.Enabled)
        {
            throw Fail.With(KvErrorCode.AuthNotEnabled, $"auth is not enabled");
        }

        // One answer for an unknown user, a user without a password and a wrong password: the caller learns nothing more.
        if (!auth.Users.TryGetValue(login.Name, out var user) || user.PasswordHash.Length == 0 || !PasswordHash.Verify(user.PasswordHash, login.Password))
        {
            throw Fail.With(KvErrorCode.AuthFailed, $"authentication failed for user {login.Name}");
        }

        return new AuthenticateResult(state.Revision, user.Name, auth.Revision);
    }

    private AuthUser UserNamed(string name) =>
        state.Auth.Users.TryGetValue(name, out var user) ? user : throw Fail.With(KvErrorCode.UserNotFound, $"the user {name} does not exist");

    private AuthRole RoleNamed(string name) =>
        state.Auth.Roles.TryGetValue(name, out var role) ? role : throw Fail.With(KvErrorCode.RoleNotFound, $"the role {name} does not exist");

    private void ValidateName(string name, KvErrorCode empty, string what)
    {
        if (name.Length == 0)
        {
            throw Fail.With(empty, $"the {what} name is empty");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(name) > limits.MaxKeyBytes)
        {
            throw Fail.With(KvErrorCode.InvalidArgument, $"a {what} name has at most {limits.MaxKeyBytes} bytes");
        }
    }

    private static void ValidateHash(ReadOnlySpan<byte> hash)
    {
        if (!hash.IsEmpty && !PasswordHash.IsWellFormed(hash))
        {
            throw Fail.With(KvErrorCode.InvalidArgument, $"the password hash is not one PasswordHash.Create makes");
        }
    }

    private ulong BumpAuth() => ++state.Auth.Revision;

    private AuthChangedResult AuthChanged() => new(state.Revision, state.Auth.Revision);

}
