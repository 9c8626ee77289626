using System.Security.Cryptography;
using System.Text;

namespace OrleansRaft.KeyValue;

/// <summary>
/// Salted password hashes: PBKDF2 with HMAC-SHA-256 (RFC 8018), a 16-byte random salt and a 32-byte key. The proposer
/// of a user add or password change hashes the password before proposing, so that the log, the snapshots and every
/// member hold the hash only; <see cref="Verify"/> is pure, so every member that checks a password agrees.
/// </summary>
/// <remarks>
/// Layout: byte 1 (the scheme), u iterations, b salt, b key (as <see cref="KvCodec"/> writes them). etcd stores bcrypt
/// hashes; PBKDF2 is the standard KDF the BCL provides.
/// </remarks>
public static class PasswordHash
{
    /// <summary>The iterations <see cref="Create"/> uses unless told: OWASP's floor for PBKDF2-HMAC-SHA-256 is far higher
    /// for offline attacks, but every etcd client authenticates on connect, and a member checks passwords on its grain's
    /// turn: raise it where authentications are rare.</summary>
    public const int DefaultIterations = 100_000;

    /// <summary>Bounds the work a stored hash can ask of a member.</summary>
    public const int MaxIterations = 10_000_000;

    private const byte Scheme = 1;
    private const int SaltBytes = 16;
    private const int KeyBytes = 32;

    public static byte[] Create(string password, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1_000);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var key = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, KeyBytes);
        var w = new KvWriter(64);
        w.Byte(Scheme);
        w.UVar((ulong)iterations);
        w.Bytes(salt);
        w.Bytes(key);
        return w.ToArray();
    }

    /// <summary>Whether <paramref name="password"/> is the one <paramref name="hash"/> was made from; false for a hash that does not parse.</summary>
    public static bool Verify(ReadOnlySpan<byte> hash, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!TryParse(hash, out var iterations, out var salt, out var key))
        {
            return false;
        }

        var candidate = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, key.Length);
        return CryptographicOperations.FixedTimeEquals(candidate, key);
    }

    /// <summary>Whether <paramref name="hash"/> is a hash of this format (checked before a hash enters the store).</summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> hash) => TryParse(hash, out _, out _, out _);

    private static bool TryParse(ReadOnlySpan<byte> hash, out int iterations, out byte[] salt, out byte[] key)
    {
        iterations = 0;
        salt = [];
        key = [];
        try
        {
            var r = new KvReader(hash);
            if (r.Byte() != Scheme)
            {
                return false;
            }

            var count = r.UVar();
            salt = r.Bytes();
            key = r.Bytes();
            r.End();
            if (count < 1_000 || count > MaxIterations || salt.Length < 8 || key.Length < 16)
            {
                return false;
            }

            iterations = (int)count;
            return true;
        }
        catch (KvException)
        {
            return false;
        }
    }
}
