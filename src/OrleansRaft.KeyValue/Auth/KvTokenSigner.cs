using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace OrleansRaft.KeyValue;

/// <summary>
/// Issues and verifies the tokens that stand for a user of a key-value group towards any silo of the cluster: the
/// group, the user, the auth revision the user's password was checked at, and an expiry, MACed (HMAC-SHA-256) with a
/// key every silo derives from the same cluster secret. A silo verifies a token with nothing but the key and its clock,
/// so a client's calls may land on any silo; the store still decides what the user may do, against the auth state of
/// that moment: a token older than its user's last password change or than the last auth enable is refused there
/// (<see cref="AsUserRequest"/>), and a revoked role is revoked for the next request.
/// </summary>
/// <remarks>
/// Form: <c>ort1.</c>, the claims (base64url of group, user, revision and expiry in Unix milliseconds, as
/// <see cref="KvWriter"/> writes them), a dot, the MAC (base64url). The expiry is absolute: a stateless token cannot be
/// renewed by use, so a client authenticates again when its token expires (the password stays with the client). The
/// token is a bearer credential: it is never logged, and never written to the log (the log's requests carry the user
/// and revision only).
/// </remarks>
public sealed class KvTokenSigner
{
    private const string Prefix = "ort1.";
    private const int MacBytes = 32;
    private static readonly byte[] KeyLabel = Encoding.UTF8.GetBytes("orleansraft key-value user token v1");

    private readonly byte[] _key;
    private readonly TimeProvider _time;

    /// <param name="secret">The cluster secret, the same on every silo; the MAC key is derived from it (HKDF-SHA-256).</param>
    /// <param name="ttl">How long a token lives after it is issued.</param>
    /// <param name="time">The clock of expiry; the system's unless told.</param>
    public KvTokenSigner(string secret, TimeSpan ttl, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, salt: [], info: KeyLabel);
        _time = time ?? TimeProvider.System;
        Ttl = ttl;
    }

    public TimeSpan Ttl { get; }

    /// <summary>A token for <paramref name="user"/> of <paramref name="groupId"/>, whose password the store checked at <paramref name="authRevision"/>.</summary>
    public KvUserToken Issue(string groupId, string user, ulong authRevision)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentException.ThrowIfNullOrEmpty(user);
        var expires = _time.GetUtcNow() + Ttl;
        var claims = new KvWriter(64);
        claims.String(groupId);
        claims.String(user);
        claims.UVar(authRevision);
        claims.UVar((ulong)expires.ToUnixTimeMilliseconds());
        var mac = HMACSHA256.HashData(_key, claims.Written);
        var token = string.Concat(Prefix, Base64Url.EncodeToString(claims.Written), ".", Base64Url.EncodeToString(mac));
        return new KvUserToken(token, user, authRevision, expires);
    }

    /// <summary>
    /// The user and auth revision of <paramref name="token"/>, if this key made it for <paramref name="groupId"/> and
    /// it has not expired; false for anything else (malformed, another key, another group, expired).
    /// </summary>
    public bool TryVerify(string? token, string groupId, out string user, out ulong authRevision)
    {
        user = "";
        authRevision = 0;
        if (token is null || !token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 4096)
        {
            return false;
        }

        var body = token.AsSpan(Prefix.Length);
        var dot = body.IndexOf('.');
        if (dot <= 0)
        {
            return false;
        }

        byte[] claims;
        byte[] mac;
        try
        {
            claims = Base64Url.DecodeFromChars(body[..dot]);
            mac = Base64Url.DecodeFromChars(body[(dot + 1)..]);
        }
        catch (FormatException)
        {
            return false;
        }

        if (mac.Length != MacBytes || !CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, claims), mac))
        {
            return false;
        }

        try
        {
            var r = new KvReader(claims);
            var group = r.String();
            var name = r.String();
            var revision = r.UVar();
            var expires = r.UVar();
            r.End();
            if (!string.Equals(group, groupId, StringComparison.Ordinal) || name.Length == 0
                || expires > long.MaxValue || _time.GetUtcNow().ToUnixTimeMilliseconds() >= (long)expires)
            {
                return false;
            }

            user = name;
            authRevision = revision;
            return true;
        }
        catch (KvException)
        {
            return false;
        }
    }
}

/// <summary>A token issued by <see cref="KvTokenSigner"/>: the bearer string, and the claims it carries in the clear.</summary>
public sealed record KvUserToken(string Token, string User, ulong AuthRevision, DateTimeOffset ExpiresAt)
{
    /// <summary>Keeps the bearer string out of logs and exception messages.</summary>
    public override string ToString() => $"token of {User} at auth revision {AuthRevision}, expires {ExpiresAt:O}";
}
