namespace OrleansRaft.KeyValue;

/// <summary>An auth change applied (user, role, permission, enable, disable); <see cref="KvResult.Revision"/> is the store's.</summary>
public sealed class AuthChangedResult(long revision, ulong authRevision) : KvResult(revision)
{
    /// <summary>The auth revision after the change: raised by every change of users, roles, permissions or the enabled flag.</summary>
    public ulong AuthRevision { get; } = authRevision;

    internal override KvResultKind Kind => KvResultKind.AuthChanged;
}

/// <summary>A password checked: issue a token for <see cref="User"/> at <see cref="AuthRevision"/>.</summary>
public sealed class AuthenticateResult(long revision, string user, ulong authRevision) : KvResult(revision)
{
    public string User { get; } = user;

    public ulong AuthRevision { get; } = authRevision;

    internal override KvResultKind Kind => KvResultKind.Authenticated;
}

/// <summary>A user's roles, in ordinal order.</summary>
public sealed class UserResult(long revision, string name, IReadOnlyList<string> roles) : KvResult(revision)
{
    public string Name { get; } = name;

    public IReadOnlyList<string> Roles { get; } = roles;

    internal override KvResultKind Kind => KvResultKind.User;
}

/// <summary>A role's permissions, in key order.</summary>
public sealed class RoleResult(long revision, string name, IReadOnlyList<KeyPermission> permissions) : KvResult(revision)
{
    public string Name { get; } = name;

    public IReadOnlyList<KeyPermission> Permissions { get; } = permissions;

    internal override KvResultKind Kind => KvResultKind.Role;
}

/// <summary>User or role names, in ordinal order.</summary>
public sealed class NameListResult(long revision, IReadOnlyList<string> names) : KvResult(revision)
{
    public IReadOnlyList<string> Names { get; } = names;

    internal override KvResultKind Kind => KvResultKind.NameList;
}

public sealed class AuthStatusResult(long revision, bool enabled, ulong authRevision) : KvResult(revision)
{
    public bool Enabled { get; } = enabled;

    public ulong AuthRevision { get; } = authRevision;

    internal override KvResultKind Kind => KvResultKind.AuthStatus;
}
