using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;

namespace OrleansRaft.Etcd.Auth;

/// <summary>
/// etcd's simple tokens: an opaque random string per successful Authenticate, held in this gateway's memory with the
/// user, the group and the auth revision it was issued at. A token lives <see cref="Hosting.EtcdGatewayOptions.TokenTtl"/>
/// after its last use (etcd's simple token TTL, five minutes by default). The store, not the token, decides what the
/// user may do: a token of a user deleted or whose password changed since is refused by the store
/// (<see cref="KeyValue.AsUserRequest"/>).
/// </summary>
/// <remarks>
/// Tokens are per gateway: another gateway (or this one after a restart) answers <c>invalid auth token</c>, and etcd's
/// clients authenticate again on that answer. etcd's own simple tokens reach every member through its log; here the
/// log carries no token, so none is ever written to storage.
/// </remarks>
internal sealed class EtcdTokens(TimeProvider time, TimeSpan ttl)
{
    private const string Letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private readonly ConcurrentDictionary<string, Entry> _tokens = new(StringComparer.Ordinal);
    private long _issued;
    private long _sweptAt = time.GetTimestamp();

    public int Count => _tokens.Count;

    /// <summary>A new token for <paramref name="user"/> of <paramref name="groupId"/>, whose password the store checked at <paramref name="authRevision"/>.</summary>
    public string Issue(string groupId, string user, ulong authRevision)
    {
        SweepExpired();

        // etcd's form: 16 random letters, a dot, a counter.
        var token = string.Create(CultureInfo.InvariantCulture, $"{RandomNumberGenerator.GetString(Letters, 16)}.{Interlocked.Increment(ref _issued)}");
        _tokens[token] = new Entry(groupId, user, authRevision, time.GetTimestamp());
        return token;
    }

    /// <summary>The user and auth revision of a live token of <paramref name="groupId"/>; its life starts again.</summary>
    public bool TryResolve(string token, string groupId, out string user, out ulong authRevision)
    {
        user = "";
        authRevision = 0;
        if (!_tokens.TryGetValue(token, out var entry) || !string.Equals(entry.GroupId, groupId, StringComparison.Ordinal))
        {
            return false;
        }

        if (time.GetElapsedTime(Interlocked.Read(ref entry.UsedAt)) > ttl)
        {
            _tokens.TryRemove(new KeyValuePair<string, Entry>(token, entry));
            return false;
        }

        Interlocked.Exchange(ref entry.UsedAt, time.GetTimestamp());
        user = entry.User;
        authRevision = entry.AuthRevision;
        return true;
    }

    /// <summary>Drops expired tokens, at most once per TTL, so that tokens nobody uses again do not pile up.</summary>
    private void SweepExpired()
    {
        var sweptAt = Interlocked.Read(ref _sweptAt);
        if (time.GetElapsedTime(sweptAt) < ttl || Interlocked.CompareExchange(ref _sweptAt, time.GetTimestamp(), sweptAt) != sweptAt)
        {
            return;
        }

        foreach (var (token, entry) in _tokens)
        {
            if (time.GetElapsedTime(Interlocked.Read(ref entry.UsedAt)) > ttl)
            {
                _tokens.TryRemove(new KeyValuePair<string, Entry>(token, entry));
            }
        }
    }

    private sealed class Entry(string groupId, string user, ulong authRevision, long usedAt)
    {
        public readonly string GroupId = groupId;
        public readonly string User = user;
        public readonly ulong AuthRevision = authRevision;
        public long UsedAt = usedAt;
    }
}
