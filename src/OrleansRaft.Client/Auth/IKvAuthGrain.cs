using OrleansRaft.KeyValue;

namespace OrleansRaft.Client;

/// <summary>
/// Authenticates users of key-value groups for Orleans clients: a silo checks the password against the group's
/// replicated auth state (the hash is verified there, never on the client) and answers a token that any silo of the
/// cluster verifies. Stateless: any activation on any silo will do (use key 0).
/// </summary>
[Alias("orleansraft.kv-auth")]
public interface IKvAuthGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// A token for <paramref name="user"/> of group <paramref name="groupId"/>. Throws <see cref="KvRequestException"/>
    /// with <see cref="KvErrorCode.AuthFailed"/> for an unknown user or a wrong password, <see cref="KvErrorCode.AuthNotEnabled"/>
    /// while the group's auth is off, and <see cref="Abstractions.RaftGroupNotFoundException"/> for a group that does not exist;
    /// <see cref="KvAuthUnavailableException"/> when the silo has no token key.
    /// </summary>
    [Alias("authenticate")]
    Task<KvAuthTicket> AuthenticateAsync(string groupId, string user, string password);
}

/// <summary>A token a silo issued: the bearer string (never logged), its user, the auth revision it was issued at, and when it expires.</summary>
[GenerateSerializer, Immutable, Alias("orleansraft.kv-auth-ticket")]
public sealed record KvAuthTicket(
    [property: Id(0)] string Token,
    [property: Id(1)] string User,
    [property: Id(2)] ulong AuthRevision,
    [property: Id(3)] DateTimeOffset ExpiresAt)
{
    /// <summary>Keeps the bearer string out of logs and exception messages.</summary>
    public override string ToString() => $"ticket of {User} at auth revision {AuthRevision}, expires {ExpiresAt:O}";
}

/// <summary>The silo cannot issue or verify user tokens: no token key is configured (see the key-value store's auth options).</summary>
[GenerateSerializer, Alias("orleansraft.kv-auth-unavailable")]
public sealed class KvAuthUnavailableException : Exception
{
    public KvAuthUnavailableException(string message)
        : base(message)
    {
    }
}
