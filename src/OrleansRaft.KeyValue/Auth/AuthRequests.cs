namespace OrleansRaft.KeyValue;

/// <summary>
/// A request made on behalf of a user whom the proposer authenticated (a token it issued after an
/// <see cref="AuthenticateRequest"/> at auth revision <see cref="TokenRevision"/>). While auth is enabled, the store
/// checks the user's roles against the inner request, and refuses the token when the user was deleted, changed its
/// password, or auth was enabled again after <see cref="TokenRevision"/>; while it is disabled the wrapper is ignored,
/// as etcd ignores tokens then. <see cref="InvalidToken"/> stands for a token the proposer does not know (expired).
/// A request not wrapped at all is anonymous. The store trusts the proposer to have authenticated the user: the silo
/// admits a wrapper from a caller only with a <see cref="Proof"/> that names the same user and revision (a
/// <see cref="KvTokenSigner"/> token), so no client can name a user it did not authenticate as.
/// </summary>
public sealed class AsUserRequest : KvRequest
{
    public AsUserRequest(string user, ulong tokenRevision, KvRequest request)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(request);
        User = user;
        TokenRevision = tokenRevision;
        Request = request;
    }

    /// <summary>The user; empty for a token the proposer did not accept.</summary>
    public string User { get; }

    /// <summary>The auth revision the user's password was checked at.</summary>
    public ulong TokenRevision { get; }

    public KvRequest Request { get; }

    /// <summary>
    /// The <see cref="KvTokenSigner"/> token that proves the caller is <see cref="User"/> at <see cref="TokenRevision"/>:
    /// sent beside the encoded request (in the call's request context), checked by the silo before the request is
    /// proposed or served, and never encoded, so it never reaches the log. Null for <see cref="InvalidToken"/>.
    /// </summary>
    public string? Proof { get; init; }

    /// <summary>
    /// The token revision of a user the proposer authenticated without a token (etcd's client certificate common
    /// name): always current; a name that is no user is refused as etcd refuses it (permission denied, or user not found
    /// for auth management).
    /// </summary>
    public const ulong CertifiedRevision = ulong.MaxValue;

    /// <summary>Refused with <see cref="KvErrorCode.InvalidAuthToken"/> while auth is enabled; served anonymously otherwise.</summary>
    public static AsUserRequest InvalidToken(KvRequest request) => new("", 0, request);

    internal override KvRequestKind Kind => KvRequestKind.AsUser;
}

/// <summary>Turns auth on: the user <c>root</c> must exist and hold the role <c>root</c>. A command; needs the root role once enabled.</summary>
public sealed class AuthEnableRequest : KvRequest
{
    internal override KvRequestKind Kind => KvRequestKind.AuthEnable;
}

/// <summary>Turns auth off (tokens issued before stay refused after the next enable). A command; needs the root role.</summary>
public sealed class AuthDisableRequest : KvRequest
{
    internal override KvRequestKind Kind => KvRequestKind.AuthDisable;
}

/// <summary>
/// A query: checks a user's password. Answers <see cref="AuthenticateResult"/> with the auth revision to issue a token
/// at; <see cref="KvErrorCode.AuthNotEnabled"/> while auth is off; <see cref="KvErrorCode.AuthFailed"/> for an unknown
/// user, a wrong password, or a user without one. The password never enters the log.
/// </summary>
public sealed class AuthenticateRequest(string name, string password) : KvRequest
{
    public string Name { get; } = name ?? throw new ArgumentNullException(nameof(name));

    public string Password { get; } = password ?? throw new ArgumentNullException(nameof(password));

    internal override KvRequestKind Kind => KvRequestKind.Authenticate;

    public override string ToString() => $"authenticate {Name}";
}

/// <summary>
/// Adds a user with a password hash made by <see cref="KeyValue.PasswordHash.Create"/> (empty for a user that cannot
/// authenticate with a password, etcd's <c>--no-password</c>). A command; needs the root role while auth is enabled.
/// </summary>
public sealed class UserAddRequest(string name, ReadOnlyMemory<byte> passwordHash) : KvRequest
{
    public string Name { get; } = name ?? throw new ArgumentNullException(nameof(name));

    public ReadOnlyMemory<byte> PasswordHash { get; } = passwordHash;

    internal override KvRequestKind Kind => KvRequestKind.UserAdd;
}

/// <summary>Deletes a user (never <c>root</c> while auth is enabled). A command; needs the root role while auth is enabled.</summary>
public sealed class UserDeleteRequest(string name) : KvRequest
{
    public string Name { get; } = name ?? throw new ArgumentNullException(nameof(name));

    internal override KvRequestKind Kind => KvRequestKind.UserDelete;
}

/// <summary>Replaces a user's password hash; the user's tokens are refused from then on. A command; needs the root role while auth is enabled.</summary>
public sealed class UserChangePasswordRequest(string name, ReadOnlyMemory<byte> passwordHash) : KvRequest
{
    public string Name { get; } = name ?? throw new ArgumentNullException(nameof(name));

    public ReadOnlyMemory<byte> PasswordHash { get; } = passwordHash;

    internal override KvRequestKind Kind => KvRequestKind.UserChangePassword;
}

/// <summary>Grants a role (which must exist, <c>root</c> excepted) to a user. A command; needs the root role while auth is enabled.</summary>
public sealed class UserGrantRoleRequest(string user, string role) : KvRequest
{
    public string User { get; } = user ?? throw new ArgumentNullException(nameof(user));

    public string Role { get; } = role ?? throw new ArgumentNullException(nameof(role));

    internal override KvRequestKind Kind => KvRequestKind.UserGrantRole;
}

/// <summary>Revokes a role from a user (never <c>root</c> from <c>root</c> while auth is enabled). A command; needs the root role while auth is enabled.</summary>
public sealed class UserRevokeRoleRequest(string user, string role) : KvRequest
{
    public string User { get; } = user ?? throw new ArgumentNullException(nameof(user));

    public string Role { get; } = role ?? throw new ArgumentNullException(nameof(role));

    internal override KvRequestKind Kind => KvRequestKind.UserRevokeRole;
}

/// <summary>A query: a user's roles (<see cref="UserResult"/>). Needs the root role while auth is enabled.</summary>
public sealed class UserGetRequest(string name) : KvRequest
{
    public string Name { get; } = name ?? throw new ArgumentNullException(nameof(name));

    internal override KvRequestKind Kind => KvRequestKind.UserGet;
}

/// <summary>A query: every user's name, in ordinal order (<see cref="NameListResult"/>). Needs the root role while auth is enabled.</summary>
public sealed class UserListRequest : KvRequest
{
    internal override KvRequestKind Kind => KvRequestKind.UserList;
}

/// <summary>Adds a role without permissions. A command; needs the root role while auth is enabled.</summary>
public sealed class RoleAddRequest(string name) : KvRequest
{
    public string Name { get; } = name ?? throw new ArgumentNullException(nameof(name));

    internal override KvRequestKind Kind => KvRequestKind.RoleAdd;
}

/// <summary>Deletes a role and revokes it from every user (never <c>root</c> while auth is enabled). A command; needs the root role while auth is enabled.</summary>
public sealed class RoleDeleteRequest(string name) : KvRequest
{
    public string Name { get; } = name ?? throw new ArgumentNullException(nameof(name));

    internal override KvRequestKind Kind => KvRequestKind.RoleDelete;
}

/// <summary>Grants a permission to a role; a permission on the same range is replaced. A command; needs the root role while auth is enabled.</summary>
public sealed class RoleGrantPermissionRequest(string role, KeyPermission permission) : KvRequest
{
    public string Role { get; } = role ?? throw new ArgumentNullException(nameof(role));

    public KeyPermission Permission { get; } = permission ?? throw new ArgumentNullException(nameof(permission));

    internal override KvRequestKind Kind => KvRequestKind.RoleGrantPermission;
}

/// <summary>Revokes a role's permission on exactly this range. A command; needs the root role while auth is enabled.</summary>
public sealed class RoleRevokePermissionRequest(string role, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> rangeEnd) : KvRequest
{
    public string Role { get; } = role ?? throw new ArgumentNullException(nameof(role));

    public ReadOnlyMemory<byte> Key { get; } = key;

    public ReadOnlyMemory<byte> RangeEnd { get; } = rangeEnd;

    internal override KvRequestKind Kind => KvRequestKind.RoleRevokePermission;
}

/// <summary>A query: a role's permissions in key order (<see cref="RoleResult"/>). Needs the root role while auth is enabled.</summary>
public sealed class RoleGetRequest(string name) : KvRequest
{
    public string Name { get; } = name ?? throw new ArgumentNullException(nameof(name));

    internal override KvRequestKind Kind => KvRequestKind.RoleGet;
}

/// <summary>A query: every role's name, in ordinal order (<see cref="NameListResult"/>). Needs the root role while auth is enabled.</summary>
public sealed class RoleListRequest : KvRequest
{
    internal override KvRequestKind Kind => KvRequestKind.RoleList;
}

/// <summary>A query anyone may make: whether auth is enabled, and the auth revision (<see cref="AuthStatusResult"/>).</summary>
public sealed class AuthStatusRequest : KvRequest
{
    internal override KvRequestKind Kind => KvRequestKind.AuthStatus;
}

/// <summary>
/// A query: whether the caller (an <see cref="AsUserRequest"/> around it) may <see cref="Type"/> the range, as a
/// watch on it asks before it starts. Answers <see cref="AuthStatusResult"/>, or the refusal a request on the range gets.
/// </summary>
public sealed class PermissionCheckRequest(PermissionType type, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> rangeEnd) : KvRequest
{
    public PermissionType Type { get; } = type;

    public ReadOnlyMemory<byte> Key { get; } = key;

    public ReadOnlyMemory<byte> RangeEnd { get; } = rangeEnd;

    internal override KvRequestKind Kind => KvRequestKind.PermissionCheck;
}
