namespace OrleansRaft.Client;

/// <summary>
/// A user of a key-value group's auth (etcd's users and roles), as a <see cref="KvClient"/> presents itself: the client
/// sends the password once per token to a silo, which checks it against the group's replicated password hash and
/// answers a token (<see cref="IKvAuthGrain"/>); calls then carry the token, and the silo derives the user from it.
/// </summary>
public sealed record KvUserCredentials
{
    public KvUserCredentials(string user, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentNullException.ThrowIfNull(password);
        User = user;
        Password = password;
    }

    public string User { get; }

    public string Password { get; }

    /// <summary>etcdctl's <c>--user name:password</c>: the user is everything before the first colon.</summary>
    public static KvUserCredentials Parse(string userColonPassword)
    {
        ArgumentNullException.ThrowIfNull(userColonPassword);
        var colon = userColonPassword.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new FormatException("A user is given as name:password.");
        }

        return new KvUserCredentials(userColonPassword[..colon], userColonPassword[(colon + 1)..]);
    }

    /// <summary>Never shows the password.</summary>
    public override string ToString() => $"user {User}";
}
