using Orleans.Concurrency;
using Microsoft.Extensions.Logging;
using OrleansRaft.Client;
using OrleansRaft.KeyValue.Hosting.Diagnostics;

namespace OrleansRaft.KeyValue.Hosting;

/// <summary>
/// Authenticates users for Orleans clients: the group's store checks the password (a linearizable
/// <see cref="AuthenticateRequest"/>, so a password changed a moment ago is the one checked), and this silo answers a
/// token every silo verifies. The password goes to the member in the query and no further: not to the log, not to a log.
/// </summary>
[StatelessWorker]
internal sealed class KvAuthGrain(KvSiloAuth auth, ILogger<KvAuthGrain> logger) : Grain, IKvAuthGrain
{
    private readonly Dictionary<string, KvClient> _clients = new(StringComparer.Ordinal);

    public async Task<KvAuthTicket> AuthenticateAsync(string groupId, string user, string password)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        var signer = auth.Signer ?? throw new KvAuthUnavailableException(
            "This cluster cannot authenticate users of key-value groups: no token key is configured on the silos (KvAuth:TokenKey, or Raft:AdminToken).");
        KvRead<AuthenticateResult> read;
        try
        {
            var client = await ClientAsync(groupId);
            read = await client.ReadAsync<AuthenticateResult>(new AuthenticateRequest(user, password), KvCallOptions.Linearizable);
        }
        catch (KvRequestException e)
        {
            KvAuthLogMessages.AuthenticationFailed(logger, groupId, user, e.Code.ToString());
            throw;
        }

        var token = signer.Issue(groupId, read.Result.User, read.Result.AuthRevision);
        KvAuthLogMessages.TokenIssued(logger, groupId, token.User, token.AuthRevision);
        return new KvAuthTicket(token.Token, token.User, token.AuthRevision, token.ExpiresAt);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        foreach (var client in _clients.Values)
        {
            await client.DisposeAsync();
        }

        _clients.Clear();
    }

    private async Task<KvClient> ClientAsync(string groupId)
    {
        if (!_clients.TryGetValue(groupId, out var client))
        {
            if (_clients.Count >= 64)
            {
                // Callers choose the group: keep the clients of a bounded few.
                foreach (var stale in _clients.Values)
                {
                    await stale.DisposeAsync();
                }

                _clients.Clear();
            }

            // Authentication is a query: no session to open, nothing to deduplicate.
            client = await KvClient.ConnectAsync(GrainFactory, groupId, new KvClientOptions { UseSessions = false });
            _clients[groupId] = client;
        }

        return client;
    }
}
