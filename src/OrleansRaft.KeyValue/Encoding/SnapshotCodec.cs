namespace OrleansRaft.KeyValue;

/// <summary>
/// The snapshot format: the whole state in a canonical order (keys ascending, then leases and sessions by id), so the
/// same state always gives the same bytes. Derived structures (the event log, each lease's keys, the live key count)
/// are rebuilt on restore, not stored.
/// </summary>
/// <remarks>
/// Layout: "KVSN", format version, u applied index, v revision, v compact revision, v clock now, v clock epoch,
/// v clock reading, v next lease id;
/// u key count, per key: b key, u version count, per version: v revision delta (from the previous version; the first
/// is absolute), v sub, f live, and if live: v create revision, v version, v lease, b value;
/// u lease count, per lease: v id, v TTL, v deadline;
/// u session count, per session: u id, u last used index, v last used time, u floor, u result count, per result:
/// u sequence, result (as <see cref="KvCodec"/> writes it);
/// from version 2 on, the auth state: f enabled, u auth revision, u enabled revision, u user count, per user (by name):
/// s name, b password hash, u credential revision, names of its roles; u role count, per role (by name): s name,
/// u permission count, permissions (as <see cref="KvCodec"/> writes them);
/// then 8 bytes: the FNV-1a 64 hash of everything before, little-endian.
/// A store whose auth was never touched is written as version 1, which members without auth read too.
/// </remarks>
internal static class SnapshotCodec
{
    private const byte Version = 1;
    private const byte AuthVersion = 2;
    private static readonly byte[] Magic = "KVSN"u8.ToArray();

    /// <param name="state">The state to write.</param>
    /// <param name="capacity">How many bytes to expect: the buffer starts at this size (at least 1 KiB).</param>
    public static byte[] Write(KvState state, int capacity = 0)
    {
        var w = new KvWriter(Math.Max(capacity, 1024));
        w.Raw(Magic);
        var withAuth = !state.Auth.IsPristine;
        w.Byte(withAuth ? AuthVersion : Version);
        w.UVar(state.AppliedIndex);
        w.Var(state.Revision);
        w.Var(state.CompactRevision);
        w.Var(state.Clock.Now);
        w.Var(state.Clock.Epoch);
        w.Var(state.Clock.EpochReading);
        w.Var(state.Leases.NextId);

        w.UVar((ulong)state.Keys.Count);
        foreach (var history in state.Keys.Ascending(ReadOnlyMemory<byte>.Empty, null))
        {
            w.Bytes(history.Key.Span);
            w.UVar((ulong)history.Versions.Count);
            var previous = 0L;
            foreach (var version in history.Versions)
            {
                w.Var(version.Revision - previous);
                previous = version.Revision;
                w.Var(version.Sub);
                w.Bool(version.Kv is not null);
                if (version.Kv is { } kv)
                {
                    w.Var(kv.CreateRevision);
                    w.Var(kv.Version);
                    w.Var(kv.Lease);
                    w.Bytes(kv.Value.Span);
                }
            }
        }

        w.UVar((ulong)state.Leases.Count);
        foreach (var lease in state.Leases.All)
        {
            w.Var(lease.Id);
            w.Var(lease.TtlSeconds);
            w.Var(lease.DeadlineMilliseconds);
        }

        w.UVar((ulong)state.Sessions.Count);
        foreach (var session in state.Sessions.All)
        {
            w.UVar(session.Id);
            w.UVar(session.LastUsedIndex);
            w.Var(session.LastUsedMilliseconds);
            w.UVar(session.Floor);
            w.UVar((ulong)session.Results.Count);
            foreach (var (sequence, result) in session.Results)
            {
                w.UVar(sequence);
                KvCodec.WriteResult(w, result);
            }
        }

        if (withAuth)
        {
            WriteAuth(w, state.Auth);
        }

        w.Fixed64(Fnv1a(w.Written));
        return w.ToArray();
    }

    /// <exception cref="KvException"><see cref="KvErrorCode.InvalidSnapshot"/>: the bytes are not a consistent snapshot.</exception>
    public static KvState Read(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return ReadChecked(bytes);
        }
        catch (KvException e) when (e.Code != KvErrorCode.InvalidSnapshot)
        {
            throw new KvException(KvErrorCode.InvalidSnapshot, "invalid snapshot: " + e.Message);
        }
    }

    private static KvState ReadChecked(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Magic.Length + 1 + 8 || !bytes.StartsWith(Magic))
        {
            throw Invalid("not a key-value snapshot");
        }

        var body = bytes[..^8];
        var trailer = new KvReader(bytes[^8..]);
        if (trailer.Fixed64() != Fnv1a(body))
        {
            throw Invalid("the checksum does not match");
        }

        var r = new KvReader(body[Magic.Length..]);
        var version = r.Byte();
        if (version is not (Version or AuthVersion))
        {
            throw Fail.With(KvErrorCode.InvalidSnapshot, $"snapshot format version {version} is not supported; this build reads versions {Version} and {AuthVersion}");
        }

        var state = new KvState
        {
            AppliedIndex = r.UVar(),
            Revision = r.Var(),
            CompactRevision = r.Var(),
        };
        state.Clock.Now = r.Var();
        state.Clock.Epoch = r.Var();
        state.Clock.EpochReading = r.Var();
        state.Leases.NextId = r.Var();
        if (state.Revision < 1 || state.CompactRevision < 0 || state.CompactRevision > state.Revision)
        {
            throw Invalid("the revisions are inconsistent");
        }

        var latest = new List<(KeyHistory History, long Lease)>();
        var keyCount = r.Count();
        ReadOnlySpan<byte> previousKey = default;
        for (var k = 0; k < keyCount; k++)
        {
            var key = r.Span();
            if (key.IsEmpty || (k > 0 && KvBytes.Compare(previousKey, key) >= 0))
            {
                throw Invalid("the keys are not in ascending order");
            }

            previousKey = key;
            var history = state.Keys.GetOrAdd(key);
            var versionCount = r.Count();
            if (versionCount == 0)
            {
                throw Invalid("a key has no version");
            }

            var revision = 0L;
            for (var v = 0; v < versionCount; v++)
            {
                var delta = r.Var();
                if (delta <= 0 || revision + delta > state.Revision)
                {
                    throw Invalid("a key's revisions are out of order");
                }

                revision += delta;
                var sub = r.Int();
                KeyValueEntry? kv = null;
                if (r.Bool())
                {
                    var create = r.Var();
                    var count = r.Var();
                    var lease = r.Var();
                    kv = new KeyValueEntry(history.Key, r.Bytes(), create, revision, count, lease);
                    if (create <= 0 || create > revision || count <= 0 || lease < 0)
                    {
                        throw Invalid("a key-value is inconsistent");
                    }
                }

                history.Versions.Add(new KeyRevision(revision, sub, kv));
            }

            if (history.Latest is { } current)
            {
                state.LiveKeys++;
                if (current.Lease != 0)
                {
                    latest.Add((history, current.Lease));
                }
            }
        }

        var leaseCount = r.Count();
        for (var i = 0; i < leaseCount; i++)
        {
            var id = r.Var();
            var ttl = r.Var();
            var deadline = r.Var();
            if (id <= 0 || state.Leases.Get(id) is not null)
            {
                throw Invalid("lease ids are not unique and positive");
            }

            state.Leases.Add(new Lease(id, ttl, deadline));
        }

        foreach (var (history, leaseId) in latest)
        {
            var lease = state.Leases.Get(leaseId) ?? throw Invalid("a key names a lease that does not exist");
            lease.Keys.Add(history);
        }

        var sessionCount = r.Count();
        for (var i = 0; i < sessionCount; i++)
        {
            var session = new ClientSession(r.UVar())
            {
                LastUsedIndex = r.UVar(),
                LastUsedMilliseconds = r.Var(),
                Floor = r.UVar(),
            };
            if (state.Sessions.Get(session.Id) is not null)
            {
                throw Invalid("session ids are not unique");
            }

            var resultCount = r.Count();
            for (var j = 0; j < resultCount; j++)
            {
                var sequence = r.UVar();
                if (!session.Results.TryAdd(sequence, KvCodec.ReadResult(ref r, depth: 0)))
                {
                    throw Invalid("a session holds one sequence twice");
                }
            }

            state.Sessions.Add(session);
        }

        if (version == AuthVersion)
        {
            ReadAuth(ref r, state.Auth);
        }

        r.End();
        state.Events = EventLog.Rebuild(state.Keys.Ascending(ReadOnlyMemory<byte>.Empty, null), state.CompactRevision);
        return state;
    }

    private static void WriteAuth(KvWriter w, AuthState auth)
    {
        w.Bool(auth.Enabled);
        w.UVar(auth.Revision);
        w.UVar(auth.EnabledRevision);
        w.UVar((ulong)auth.Users.Count);
        foreach (var user in auth.Users.Values)
        {
            w.String(user.Name);
            w.Bytes(user.PasswordHash);
            w.UVar(user.CredentialRevision);
            KvCodec.WriteNames(w, user.Roles);
        }

        w.UVar((ulong)auth.Roles.Count);
        foreach (var role in auth.Roles.Values)
        {
            w.String(role.Name);
            w.UVar((ulong)role.Permissions.Count);
            foreach (var permission in role.Permissions)
            {
                KvCodec.WritePermission(w, permission);
            }
        }
    }

    private static void ReadAuth(ref KvReader r, AuthState auth)
    {
        auth.Enabled = r.Bool();
        auth.Revision = r.UVar();
        auth.EnabledRevision = r.UVar();
        var userCount = r.Count();
        for (var i = 0; i < userCount; i++)
        {
            var name = r.String();
            var hash = r.Bytes();
            var user = new AuthUser(name, hash, r.UVar());
            foreach (var role in KvCodec.ReadNames(ref r))
            {
                user.Roles.Add(role);
            }

            if (name.Length == 0 || !auth.Users.TryAdd(name, user) || user.CredentialRevision > auth.Revision)
            {
                throw Invalid("the users are not unique, named and consistent with the auth revision");
            }
        }

        var roleCount = r.Count();
        for (var i = 0; i < roleCount; i++)
        {
            var role = new AuthRole(r.String());
            var permissionCount = r.Count();
            for (var j = 0; j < permissionCount; j++)
            {
                role.Permissions.Add(KvCodec.ReadPermission(ref r));
            }

            if (role.Name.Length == 0 || !auth.Roles.TryAdd(role.Name, role))
            {
                throw Invalid("the roles are not unique and named");
            }
        }

        if (auth.EnabledRevision > auth.Revision || (auth.Enabled && auth.Users.GetValueOrDefault(AuthState.Root)?.HasRootRole != true))
        {
            throw Invalid("the auth state is inconsistent");
        }
    }

    private static KvException Invalid(string message) => new(KvErrorCode.InvalidSnapshot, "invalid snapshot: " + message);

    /// <summary>FNV-1a, 64 bits: a fixed function, so equal snapshots carry equal checksums on every member.</summary>
    private static ulong Fnv1a(ReadOnlySpan<byte> data)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in data)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }
}
