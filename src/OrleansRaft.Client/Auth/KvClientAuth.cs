using OrleansRaft.Abstractions;
using OrleansRaft.KeyValue;

namespace OrleansRaft.Client;

/// <summary>
/// The user a <see cref="KvClient"/> calls as: a ticket from <see cref="IKvAuthGrain"/>, kept until shortly before it
/// expires or until a silo refuses it, then replaced by authenticating again. Requests go out wrapped in an
/// <see cref="AsUserRequest"/> whose proof is the ticket's token; the silo admits the wrapper only if the token names
/// the same user and revision, so the user the store sees is the one the silo verified.
/// </summary>
internal sealed class KvClientAuth(IGrainFactory grains, string groupId, KvUserCredentials credentials, TimeProvider time)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private KvAuthTicket? _ticket;

    public string User => credentials.User;

    /// <summary>A live ticket: the one held unless it is <paramref name="refused"/> or close to expiring, else a new one.</summary>
    public async Task<KvAuthTicket> TicketAsync(KvAuthTicket? refused, CancellationToken cancellationToken)
    {
        var held = Volatile.Read(ref _ticket);
        if (held is not null && held != refused && Fresh(held))
        {
            return held;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            held = _ticket;
            if (held is not null && held != refused && Fresh(held))
            {
                return held;
            }

            var ticket = await grains.GetGrain<IKvAuthGrain>(0).AuthenticateAsync(groupId, credentials.User, credentials.Password).WaitAsync(cancellationToken);
            Volatile.Write(ref _ticket, ticket);
            return ticket;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary><paramref name="request"/> as <paramref name="ticket"/>'s user.</summary>
    public static AsUserRequest AsUser(KvRequest request, KvAuthTicket ticket) =>
        new(ticket.User, ticket.AuthRevision, request) { Proof = ticket.Token };

    /// <summary>
    /// Puts <paramref name="request"/>'s proof, if it has one, in the request context of the calls made until the
    /// scope ends (the context flows into the grain calls of the same asynchronous flow, and nowhere else).
    /// </summary>
    public static CredentialScope Carry(KvRequest request) => new((request as AsUserRequest)?.Proof);

    // A margin against clock skew between client and silo and against calls in flight as the token expires.
    private bool Fresh(KvAuthTicket ticket) => time.GetUtcNow() < ticket.ExpiresAt - TimeSpan.FromSeconds(5);

    public readonly struct CredentialScope : IDisposable
    {
        private readonly object? _previous;
        private readonly bool _set;

        public CredentialScope(string? proof)
        {
            _previous = RequestContext.Get(RaftCallerCredential.RequestContextKey);
            _set = proof is not null || _previous is not null;
            if (proof is not null)
            {
                RequestContext.Set(RaftCallerCredential.RequestContextKey, proof);
            }
            else if (_previous is not null)
            {
                // A call made as nobody must not carry a credential from an outer context (a grain's incoming call).
                RequestContext.Remove(RaftCallerCredential.RequestContextKey);
            }
        }

        public void Dispose()
        {
            if (!_set)
            {
                return;
            }

            if (_previous is not null)
            {
                RequestContext.Set(RaftCallerCredential.RequestContextKey, _previous);
            }
            else
            {
                RequestContext.Remove(RaftCallerCredential.RequestContextKey);
            }
        }
    }
}
