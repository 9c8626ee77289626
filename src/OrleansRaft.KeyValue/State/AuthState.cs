namespace OrleansRaft.KeyValue;

/// <summary>A user of the store's auth: a password hash (empty: none) and roles, in ordinal order.</summary>
internal sealed class AuthUser(string name, byte[] passwordHash, ulong credentialRevision)
{
    public string Name { get; } = name;

    public byte[] PasswordHash { get; set; } = passwordHash;

    /// <summary>The auth revision of the user's add or last password change: tokens issued before it are refused.</summary>
    public ulong CredentialRevision { get; set; } = credentialRevision;

    public SortedSet<string> Roles { get; } = new(StringComparer.Ordinal);

    public bool HasRootRole => Roles.Contains(AuthState.Root);
}

/// <summary>A role: key-range permissions in <see cref="KeyPermission.Compare"/> order, at most one per range.</summary>
internal sealed class AuthRole(string name)
{
    public string Name { get; } = name;

    public List<KeyPermission> Permissions { get; } = [];
}

/// <summary>
/// Users, roles and the enabled flag, as etcd's auth store keeps them; part of the replicated state and the snapshot.
/// <see cref="Revision"/> rises with every change, so a token names the state its password was checked against.
/// </summary>
internal sealed class AuthState
{
    /// <summary>The user and the role that etcd's auth needs before it can be enabled, and that may do anything.</summary>
    public const string Root = "root";

    public bool Enabled { get; set; }

    /// <summary>0 while auth was never touched (a snapshot then carries no auth section).</summary>
    public ulong Revision { get; set; }

    /// <summary>The auth revision of the last enable: tokens issued before it are refused.</summary>
    public ulong EnabledRevision { get; set; }

    public SortedDictionary<string, AuthUser> Users { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, AuthRole> Roles { get; } = new(StringComparer.Ordinal);

    public bool IsPristine => Revision == 0 && !Enabled && Users.Count == 0 && Roles.Count == 0;
}
