namespace OrleansRaft.KeyValue;

/// <summary>
/// The auth requests and results. Layouts (after the tag): as-user = s user, u token revision, request; enable,
/// disable, user list, role list, auth status = nothing; authenticate = s name, s password; user add and change
/// password = s name, b hash; user delete, user get, role add, role delete, role get = s name; grant and revoke role =
/// s user, s role; grant permission = s role, permission; revoke permission = s role, b key, b range end;
/// permission check = permission. Permission = v type, b key, b range end. Results: auth changed = u auth revision;
/// authenticated = s user, u auth revision; user = s name, u count, s roles; role = s name, u count, permissions;
/// names = u count, s names; auth status = f enabled, u auth revision. (s = UTF-8 string as <see cref="KvWriter"/> writes it.)
/// </summary>
public static partial class KvCodec
{
    private static void WriteAuthRequest(KvWriter w, KvRequest request)
    {
        switch (request)
        {
            case AsUserRequest asUser:
                w.String(asUser.User);
                w.UVar(asUser.TokenRevision);
                WriteRequest(w, asUser.Request);
                break;
            case AuthEnableRequest or AuthDisableRequest or UserListRequest or RoleListRequest or AuthStatusRequest:
                break;
            case AuthenticateRequest login:
                w.String(login.Name);
                w.String(login.Password);
                break;
            case UserAddRequest add:
                w.String(add.Name);
                w.Bytes(add.PasswordHash.Span);
                break;
            case UserChangePasswordRequest change:
                w.String(change.Name);
                w.Bytes(change.PasswordHash.Span);
                break;
            case UserDeleteRequest delete:
                w.String(delete.Name);
                break;
            case UserGetRequest get:
                w.String(get.Name);
                break;
            case RoleAddRequest add:
                w.String(add.Name);
                break;
            case RoleDeleteRequest delete:
                w.String(delete.Name);
                break;
            case RoleGetRequest get:
                w.String(get.Name);
                break;
            case UserGrantRoleRequest grant:
                w.String(grant.User);
                w.String(grant.Role);
                break;
            case UserRevokeRoleRequest revoke:
                w.String(revoke.User);
                w.String(revoke.Role);
                break;
            case RoleGrantPermissionRequest grant:
                w.String(grant.Role);
                WritePermission(w, grant.Permission);
                break;
            case RoleRevokePermissionRequest revoke:
                w.String(revoke.Role);
                w.Bytes(revoke.Key.Span);
                w.Bytes(revoke.RangeEnd.Span);
                break;
            case PermissionCheckRequest check:
                WritePermission(w, new KeyPermission(check.Type, check.Key, check.RangeEnd));
                break;
            default:
                throw new ArgumentException($"Unknown request type {request.GetType()}.", nameof(request));
        }
    }

    private static KvRequest ReadAuthRequest(ref KvReader r, KvRequestKind kind, int depth)
    {
        switch (kind)
        {
            case KvRequestKind.AsUser:
            {
                var user = r.String();
                var revision = r.UVar();
                return new AsUserRequest(user, revision, ReadRequest(ref r, depth + 1));
            }

            case KvRequestKind.AuthEnable:
                return new AuthEnableRequest();
            case KvRequestKind.AuthDisable:
                return new AuthDisableRequest();
            case KvRequestKind.UserList:
                return new UserListRequest();
            case KvRequestKind.RoleList:
                return new RoleListRequest();
            case KvRequestKind.AuthStatus:
                return new AuthStatusRequest();
            case KvRequestKind.Authenticate:
            {
                var name = r.String();
                return new AuthenticateRequest(name, r.String());
            }

            case KvRequestKind.UserAdd:
            {
                var name = r.String();
                return new UserAddRequest(name, r.Bytes());
            }

            case KvRequestKind.UserChangePassword:
            {
                var name = r.String();
                return new UserChangePasswordRequest(name, r.Bytes());
            }

            case KvRequestKind.UserDelete:
                return new UserDeleteRequest(r.String());
            case KvRequestKind.UserGet:
                return new UserGetRequest(r.String());
            case KvRequestKind.RoleAdd:
                return new RoleAddRequest(r.String());
            case KvRequestKind.RoleDelete:
                return new RoleDeleteRequest(r.String());
            case KvRequestKind.RoleGet:
                return new RoleGetRequest(r.String());
            case KvRequestKind.UserGrantRole:
            {
                var user = r.String();
                return new UserGrantRoleRequest(user, r.String());
            }

            case KvRequestKind.UserRevokeRole:
            {
                var user = r.String();
                return new UserRevokeRoleRequest(user, r.String());
            }

            case KvRequestKind.RoleGrantPermission:
            {
                var role = r.String();
                return new RoleGrantPermissionRequest(role, ReadPermission(ref r));
            }

            case KvRequestKind.RoleRevokePermission:
            {
                var role = r.String();
                var key = r.Bytes();
                return new RoleRevokePermissionRequest(role, key, r.Bytes());
            }

            case KvRequestKind.PermissionCheck:
            {
                var permission = ReadPermission(ref r);
                return new PermissionCheckRequest(permission.Type, permission.Key, permission.RangeEnd);
            }

            default:
                throw KvReader.Malformed($"unknown request tag {(byte)kind}");
        }
    }

    private static void WriteAuthResult(KvWriter w, KvResult result)
    {
        switch (result)
        {
            case AuthChangedResult changed:
                w.UVar(changed.AuthRevision);
                break;
            case AuthenticateResult login:
                w.String(login.User);
                w.UVar(login.AuthRevision);
                break;
            case UserResult user:
                w.String(user.Name);
                WriteNames(w, user.Roles);
                break;
            case RoleResult role:
                w.String(role.Name);
                w.UVar((ulong)role.Permissions.Count);
                foreach (var permission in role.Permissions)
                {
                    WritePermission(w, permission);
                }

                break;
            case NameListResult names:
                WriteNames(w, names.Names);
                break;
            case AuthStatusResult status:
                w.Bool(status.Enabled);
                w.UVar(status.AuthRevision);
                break;
            default:
                throw new ArgumentException($"Unknown result type {result.GetType()}.", nameof(result));
        }
    }

    private static KvResult ReadAuthResult(ref KvReader r, KvResultKind kind, long revision)
    {
        switch (kind)
        {
            case KvResultKind.AuthChanged:
                return new AuthChangedResult(revision, r.UVar());
            case KvResultKind.Authenticated:
            {
                var user = r.String();
                return new AuthenticateResult(revision, user, r.UVar());
            }

            case KvResultKind.User:
            {
                var name = r.String();
                return new UserResult(revision, name, ReadNames(ref r));
            }

            case KvResultKind.Role:
            {
                var name = r.String();
                var permissions = new KeyPermission[r.Count()];
                for (var i = 0; i < permissions.Length; i++)
                {
                    permissions[i] = ReadPermission(ref r);
                }

                return new RoleResult(revision, name, permissions);
            }

            case KvResultKind.NameList:
                return new NameListResult(revision, ReadNames(ref r));
            case KvResultKind.AuthStatus:
            {
                var enabled = r.Bool();
                return new AuthStatusResult(revision, enabled, r.UVar());
            }

            default:
                throw KvReader.Malformed($"unknown result tag {(byte)kind}");
        }
    }

    internal static void WritePermission(KvWriter w, KeyPermission permission)
    {
        w.Var((int)permission.Type);
        w.Bytes(permission.Key.Span);
        w.Bytes(permission.RangeEnd.Span);
    }

    internal static KeyPermission ReadPermission(ref KvReader r)
    {
        var type = (PermissionType)r.Int();
        var key = r.Bytes();
        return new KeyPermission(type, key, r.Bytes());
    }

    internal static void WriteNames(KvWriter w, IReadOnlyCollection<string> names)
    {
        w.UVar((ulong)names.Count);
        foreach (var name in names)
        {
            w.String(name);
        }
    }

    internal static string[] ReadNames(ref KvReader r)
    {
        var names = new string[r.Count()];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = r.String();
        }

        return names;
    }
}
