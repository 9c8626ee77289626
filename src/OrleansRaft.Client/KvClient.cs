using OrleansRaft.Abstractions;
using OrleansRaft.KeyValue;

namespace OrleansRaft.Client;

/// <summary>
/// A typed client of one key-value group (keyspace) over Orleans. Commands go to the leader, found by following
/// members' hints and cached; reads are linearizable or serializable per call. Every call has a timeout (retries
/// included) and a cancellation token. Commands carry a client session stamp, so a command retried after a lost
/// answer applies once. Thread-safe: share one client per group.
/// </summary>
/// <remarks>
/// A call that times out or is cancelled may still have applied: only its retries are deduplicated. Refusals by the
/// store throw <see cref="KvRequestException"/>; a group that does not exist throws <see cref="RaftGroupNotFoundException"/>.
/// </remarks>
public sealed partial class KvClient : IAsyncDisposable
{
    private readonly KvMemberRouter _router;
    private readonly RaftClientSession _session;
    private readonly KvClientOptions _options;
    private readonly IGrainFactory _grains;
    private readonly KvClientAuth? _auth;

    public KvClient(IGrainFactory grains, string groupId, IReadOnlyList<ulong> members, KvClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        RaftMemberKey.ValidateGroupId(groupId);
        var distinct = RaftGroupLookup.Validate(members);
        _grains = grains;
        _options = options ?? new KvClientOptions();
        _options.Validate();
        _session = new RaftClientSession(_options.SessionWindow);
        GroupId = groupId;
        _router = new KvMemberRouter(grains, groupId, distinct, _options);
        _auth = _options.Credentials is { } credentials ? new KvClientAuth(grains, groupId, credentials, TimeProvider.System) : null;
    }

    /// <summary>A client of group <paramref name="groupId"/>, with the membership its admin grain records.</summary>
    public static async Task<KvClient> ConnectAsync(IGrainFactory grains, string groupId, KvClientOptions? options = null)
    {
        var settings = options ?? new KvClientOptions();
        var members = await RaftGroupLookup.MembersAsync(grains, groupId, settings.RequestTimeout, settings.InitialBackoff, settings.MaxBackoff);
        return new KvClient(grains, groupId, members, options);
    }

    /// <summary>
    /// A client of another key-value group over the same Orleans client, with this client's options: one call to the
    /// group's admin grain (as <see cref="ConnectAsync"/>). The new client has its own leader cache and session, since
    /// sessions and leaders are per group; dispose it on its own.
    /// </summary>
    public Task<KvClient> ForGroupAsync(string groupId)
    {
        RaftMemberKey.ValidateGroupId(groupId);
        return ConnectAsync(_grains, groupId, _options);
    }

    public string GroupId { get; }

    /// <summary>The group's members as the client knows them: those at connect time, kept up with membership changes.</summary>
    public IReadOnlyList<ulong> Members => _router.Members;

    /// <summary>The member the client believes leads, or 0.</summary>
    public ulong Leader => _router.Leader;

    /// <summary>The client session's id once opened, or 0.</summary>
    public ulong SessionId => _session.Id;

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/> (UTF-8).</summary>
    public Task<PutResult> PutAsync(string key, string value, KvCallOptions? call = null, CancellationToken cancellationToken = default) =>
        PutAsync(new PutRequest(KvBytes.From(key), KvBytes.From(value)), call, cancellationToken);

    public async Task<PutResult> PutAsync(PutRequest request, KvCallOptions? call = null, CancellationToken cancellationToken = default) =>
        Expect<PutResult>(await ProposeAsync(request, call, cancellationToken));

    /// <summary>The key's current entry, or null when it does not exist.</summary>
    public Task<KeyValueEntry?> GetAsync(string key, KvCallOptions? call = null, CancellationToken cancellationToken = default) =>
        GetAsync(KvBytes.From(key), call, cancellationToken);

    public async Task<KeyValueEntry?> GetAsync(ReadOnlyMemory<byte> key, KvCallOptions? call = null, CancellationToken cancellationToken = default)
    {
        var range = await RangeAsync(new RangeRequest(key), call, cancellationToken);
        return range.Kvs.Count == 0 ? null : range.Kvs[0];
    }

    /// <summary>Every key that starts with <paramref name="prefix"/> (UTF-8), in key order, up to the store's page bound.</summary>
    public Task<RangeResult> GetPrefixAsync(string prefix, KvCallOptions? call = null, CancellationToken cancellationToken = default)
    {
        var start = KvBytes.From(prefix);
        return RangeAsync(new RangeRequest(start) { RangeEnd = KeyRanges.PrefixEnd(start) }, call, cancellationToken);
    }

    public async Task<RangeResult> RangeAsync(RangeRequest request, KvCallOptions? call = null, CancellationToken cancellationToken = default) =>
        (await ReadAsync<RangeResult>(request, call, cancellationToken)).Result;

    public async Task<DirectoryListing> ListDirectoryAsync(ListDirectoryRequest request, KvCallOptions? call = null, CancellationToken cancellationToken = default) =>
        (await ReadAsync<DirectoryListing>(request, call, cancellationToken)).Result;

    public async Task<StatusResult> StatusAsync(KvCallOptions? call = null, CancellationToken cancellationToken = default) =>
        (await ReadAsync<StatusResult>(new StatusRequest(), call, cancellationToken)).Result;

    /// <summary>Deletes <paramref name="key"/> (UTF-8) alone.</summary>
    public Task<DeleteRangeResult> DeleteAsync(string key, KvCallOptions? call = null, CancellationToken cancellationToken = default) =>
        DeleteAsync(new DeleteRangeRequest(KvBytes.From(key)), call, cancellationToken);

    public async Task<DeleteRangeResult> DeleteAsync(DeleteRangeRequest request, KvCallOptions? call = null, CancellationToken cancellationToken = default) =>
        Expect<DeleteRangeResult>(await ProposeAsync(request, call, cancellationToken));

    /// <summary>
    /// Runs a transaction. One that writes goes through the log; one that only reads is served as a read, with the
    /// call's consistency.
    /// </summary>
    public async Task<TxnResult> TxnAsync(TxnRequest request, KvCallOptions? call = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Writes(request)
            ? Expect<TxnResult>(await ProposeAsync(request, call, cancellationToken))
            : (await ReadAsync<TxnResult>(request, call, cancellationToken)).Result;
    }

    /// <summary>Forgets every version superseded at <paramref name="revision"/>.</summary>
    public async Task<CompactResult> CompactAsync(long revision, KvCallOptions? call = null, CancellationToken cancellationToken = default) =>
        Expect<CompactResult>(await ProposeAsync(new CompactRequest(revision), call, cancellationToken));

    /// <summary>
    /// Serves a query (range, read-only transaction, directory, events, lease queries, status) with the call's
    /// consistency, and tells which member answered at which index.
    /// </summary>
    public async Task<KvRead<T>> ReadAsync<T>(KvRequest query, KvCallOptions? call = null, CancellationToken cancellationToken = default)
        where T : KvResult => (await ReadFromAsync<T>(query, call, prefer: call?.PreferredMember ?? 0, cancellationToken)).Read;

    /// <summary>
    /// <see cref="ReadAsync{T}"/>, with a serializable read tried first at <paramref name="prefer"/>; also returns the
    /// leader the answering member named (0 when it knew none).
    /// </summary>
    private async Task<(KvRead<T> Read, ulong LeaderHint)> ReadFromAsync<T>(KvRequest query, KvCallOptions? call, ulong prefer, CancellationToken cancellationToken)
        where T : KvResult
    {
        ArgumentNullException.ThrowIfNull(query);
        if (call?.MaxLeaderSilence < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(call), call.MaxLeaderSilence, "MaxLeaderSilence must not be negative.");
        }

        if (_auth is null)
        {
            return await ReadOnceAsync<T>(query, call, prefer, cancellationToken);
        }

        // A token the silo refuses (expired, or older than the user's last change) is replaced once, transparently.
        var ticket = await _auth.TicketAsync(null, cancellationToken);
        try
        {
            return await ReadOnceAsync<T>(KvClientAuth.AsUser(query, ticket), call, prefer, cancellationToken);
        }
        catch (KvRequestException e) when (e.Code == KvErrorCode.InvalidAuthToken)
        {
            ticket = await _auth.TicketAsync(ticket, cancellationToken);
            return await ReadOnceAsync<T>(KvClientAuth.AsUser(query, ticket), call, prefer, cancellationToken);
        }
    }

    private async Task<(KvRead<T> Read, ulong LeaderHint)> ReadOnceAsync<T>(KvRequest query, KvCallOptions? call, ulong prefer, CancellationToken cancellationToken)
        where T : KvResult
    {
        using var credential = KvClientAuth.Carry(query);
        var consistency = call?.Consistency ?? _options.DefaultReadConsistency;
        byte[] encoded = KvCodec.EncodeQuery(query);
        var (reply, member) = consistency == ReadConsistency.Linearizable
            ? await _router.SendAsync(true, (m, token) => m.ReadAsync(encoded, token), TimeoutOf(call), cancellationToken)
            : await _router.SendAsync(false, (m, _) => m.ReadLocalAsync(encoded), TimeoutOf(call), cancellationToken, FreshEnough(call), prefer);
        var read = new KvRead<T>(Expect<T>(reply.Result), consistency, member, reply.Index)
        {
            Commit = reply.Commit,
            LeaderSilence = reply.LeaderSilence,
        };
        return (read, reply.LeaderHint);
    }

    /// <summary>Closes the client session, so the store drops its results now rather than when it idles out.</summary>
    public async ValueTask DisposeAsync()
    {
        var id = _session.Id;
        if (id == 0)
        {
            return;
        }

        _session.Expired(id);
        try
        {
            await _router.SendAsync(true, (m, token) => m.ProposeAsync(new KvCommand(new CloseSessionRequest(id)), token), _options.AttemptTimeout, CancellationToken.None);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or RaftGroupNotFoundException or RaftStorageUnavailableException)
        {
            // The store expires an idle session on its own, and a deleted group has none left.
        }
    }

    /// <summary>
    /// Proposes a write (put, delete, transaction, compaction, lease grant, revoke or keepalive) like the typed calls,
    /// and tells which member applied it at which log index: the leader that answered.
    /// </summary>
    public async Task<KvWrite<T>> WriteAsync<T>(KvRequest request, KvCallOptions? call = null, CancellationToken cancellationToken = default)
        where T : KvResult
    {
        var proposed = await ProposeWithMemberAsync(request, call, cancellationToken);
        return new KvWrite<T>(Expect<T>(proposed.Result), proposed.MemberId, proposed.Index);
    }

    private async Task<KvResult> ProposeAsync(KvRequest request, KvCallOptions? call, CancellationToken cancellationToken) =>
        (await ProposeWithMemberAsync(request, call, cancellationToken)).Result;

    /// <summary>
    /// Proposes <paramref name="request"/> in the client session. Every attempt sends the same bytes, so the
    /// command applies at most once however often it is retried. A session the store no longer knows refused the
    /// command without applying it, so it is sent once more in a fresh session.
    /// </summary>
    private async Task<Proposed> ProposeWithMemberAsync(KvRequest request, KvCallOptions? call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_auth is null)
        {
            return await ProposeInSessionAsync(request, call, cancellationToken);
        }

        // As for reads: a refused token is replaced once. The refused command did not apply, and the next attempt is
        // a new command of the session (its own sequence), so it cannot be answered with the refusal.
        var ticket = await _auth.TicketAsync(null, cancellationToken);
        var proposed = await ProposeInSessionAsync(KvClientAuth.AsUser(request, ticket), call, cancellationToken);
        if (proposed.Result is ErrorResult { Code: KvErrorCode.InvalidAuthToken })
        {
            ticket = await _auth.TicketAsync(ticket, cancellationToken);
            proposed = await ProposeInSessionAsync(KvClientAuth.AsUser(request, ticket), call, cancellationToken);
        }

        return proposed;
    }

    private async Task<Proposed> ProposeInSessionAsync(KvRequest request, KvCallOptions? call, CancellationToken cancellationToken)
    {
        using var credential = KvClientAuth.Carry(request);
        using var span = RaftTracing.Source.StartActivity(RaftTracing.KvClientWrite);
        var timeout = TimeoutOf(call);
        if (!_options.UseSessions)
        {
            return await ProposeOnceAsync(KvCodec.EncodeCommand(new KvCommand(request)), timeout, cancellationToken);
        }

        for (var attempt = 0; ; attempt++)
        {
            var sessionId = await _session.GetIdAsync(() => OpenSessionAsync(timeout), cancellationToken);
            var stamp = await _session.BeginAsync(sessionId, timeout, cancellationToken);
            Proposed proposed;
            try
            {
                var kvStamp = new SessionStamp(stamp.SessionId, stamp.Sequence, stamp.AcknowledgedBelow);
                proposed = await ProposeOnceAsync(KvCodec.EncodeCommand(new KvCommand(request, kvStamp)), timeout, cancellationToken);
            }
            finally
            {
                _session.End(stamp.Sequence);
            }

            if (proposed.Result is ErrorResult { Code: KvErrorCode.SessionExpired } && attempt == 0)
            {
                _session.Expired(sessionId);
                continue;
            }

            return proposed;
        }
    }

    private async Task<Proposed> ProposeOnceAsync(byte[] command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (reply, member) = await _router.SendAsync(true, (m, token) => m.ProposeAsync(command, token), timeout, cancellationToken);
        return new Proposed(reply.Result!, member, reply.Index);
    }

    private async Task<ulong> OpenSessionAsync(TimeSpan timeout)
    {
        // Unstamped: a retried opening may open a second session, which idles out unused.
        var proposed = await ProposeOnceAsync(KvCodec.EncodeCommand(new KvCommand(new OpenSessionRequest())), timeout, CancellationToken.None);
        return Expect<SessionOpenedResult>(proposed.Result).SessionId;
    }

    /// <summary>A store refusal is an answer too: a member behind the minimum may refuse what a fresher one serves.</summary>
    /// <summary>The call's staleness bounds on a serializable read's answer, or null when it sets none.</summary>
    private static Func<KvReply, bool>? FreshEnough(KvCallOptions? call)
    {
        var minRevision = call?.MinRevision ?? 0;
        var maxSilence = call?.MaxLeaderSilence;
        if (minRevision <= 0 && maxSilence is null)
        {
            return null;
        }

        return reply =>
            (minRevision <= 0 || (reply.Result is { } result && result.Revision >= minRevision))
            && (maxSilence is not { } bound || reply.LeaderSilence <= bound);
    }

    private TimeSpan TimeoutOf(KvCallOptions? call) => call?.Timeout ?? _options.RequestTimeout;

    private static T Expect<T>(KvResult? result)
        where T : KvResult => result switch
        {
            T typed => typed,
            ErrorResult error => throw new KvRequestException(error),
            null => throw new InvalidOperationException("The member answered Ok without a result."),
            _ => throw new InvalidOperationException($"Expected a {typeof(T).Name} from the store, got a {result.GetType().Name}."),
        };

    private static bool Writes(TxnRequest txn) =>
        txn.Success.Concat(txn.Failure).Any(op => op switch
        {
            PutRequest or DeleteRangeRequest => true,
            TxnRequest nested => Writes(nested),
            _ => false,
        });

    /// <summary>A proposal's result, the member that applied it, and its log index.</summary>
    private readonly record struct Proposed(KvResult Result, ulong MemberId, ulong Index);
}
