using OrleansRaft.Abstractions;

namespace OrleansRaft.Client;

/// <summary>
/// Makes admin calls (creating and deleting groups, membership changes) as a user of the key-value group whose roles
/// govern administration (the silos' <c>KvAuth:AdminGroup</c>, the first configured group, <c>kv</c>, by default):
/// each call carries the user's token, which the silo verifies and checks for the <c>root</c> role while that
/// group's auth is enabled. Pass a null admin token to the call, since a given token decides alone. Thread-safe.
/// </summary>
public sealed class KvAdminCaller
{
    private readonly KvClientAuth _auth;

    public KvAdminCaller(IGrainFactory grains, KvUserCredentials user, string adminGroup = "kv")
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(user);
        RaftMemberKey.ValidateGroupId(adminGroup);
        _auth = new KvClientAuth(grains, adminGroup, user, TimeProvider.System);
    }

    /// <summary>As <see cref="CallAsync{T}"/>, for a call without a result.</summary>
    public Task CallAsync(Func<Task> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        return CallAsync(async () =>
        {
            await call();
            return true;
        }, cancellationToken);
    }

    /// <summary>Runs <paramref name="call"/> with the user's token in its request context (authenticating first when none is held).</summary>
    public async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        var ticket = await _auth.TicketAsync(null, cancellationToken);
        using var scope = new KvClientAuth.CredentialScope(ticket.Token);
        return await call();
    }
}
