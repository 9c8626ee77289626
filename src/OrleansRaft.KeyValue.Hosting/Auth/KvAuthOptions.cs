namespace OrleansRaft.KeyValue.Hosting;

/// <summary>
/// How silos authenticate the users of key-value groups for Orleans clients and the etcd gateway (section
/// <c>KvAuth</c> of the host's configuration). Every silo of a cluster needs the same <see cref="TokenKey"/>: a token
/// issued by one silo is verified by whichever silo the client's next call lands on.
/// </summary>
public sealed class KvAuthOptions
{
    /// <summary>
    /// The cluster secret user tokens are MACed with. Unset, the silos use <c>OrleansRaftOptions.AdminToken</c> (a
    /// key derived from it, under a label of its own, so a token never reveals the admin token); with neither, no user
    /// can call as itself, and requests that name a user are refused. A secret: give it by environment, never log it.
    /// </summary>
    public string? TokenKey { get; set; }

    /// <summary>How long a token issued to an Orleans client lives; the client authenticates again when it expires.</summary>
    public TimeSpan TokenTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The key-value group whose users and roles decide cluster-wide administration (groups and membership): a caller
    /// authenticated as a user of this group with the role <c>root</c> may administer while its auth is enabled. Unset,
    /// the first group the silo creates at start (<c>Groups</c>, <c>kv</c> by default).
    /// </summary>
    public string? AdminGroup { get; set; }

    /// <summary>The clock of token expiry; tests drive it.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Over <c>ToString</c>, so that the key cannot reach a log through the options.</summary>
    public override string ToString() => $"KvAuthOptions {{ TokenKey = {(string.IsNullOrEmpty(TokenKey) ? "(unset)" : "(set)")}, TokenTtl = {TokenTtl}, AdminGroup = {AdminGroup ?? "(default)"} }}";
}
