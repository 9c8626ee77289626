namespace OrleansRaft.Hosting.Configuration;

/// <summary>
/// Decides whether a caller without the admin token may administer groups, from the credential its call carries
/// (<see cref="Abstractions.RaftCallerCredential"/>): registered by a state machine package that knows users (the
/// key-value store makes its <c>root</c> role one). Without one, the admin token is the only way in.
/// </summary>
public interface IRaftAdminAuthorizer
{
    /// <summary>
    /// Null when <paramref name="credential"/> makes its caller an administrator; otherwise why not, fit for the
    /// caller (no secret in it).
    /// </summary>
    /// <param name="credential">The call's credential, unverified.</param>
    /// <param name="administeredGroup">The group whose admin grain asks: when it is the group whose users decide,
    /// its admin grain is busy with this call, so <paramref name="administeredMembers"/> are its members (null when it
    /// has none yet).</param>
    /// <param name="administeredMembers">The administered group's voters, or null.</param>
    Task<string?> AuthorizeAsync(string credential, string administeredGroup, IReadOnlyList<ulong>? administeredMembers);
}
