using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansRaft.Abstractions;

namespace OrleansRaft.Client;

/// <summary>
/// A client of one group run by a <see cref="RaftStateMachine{TState, TCommand, TResult}"/>, over Orleans: commands
/// go to the leader, found by following members' hints and cached, round-robin with backoff when none is known;
/// queries are linearizable or serializable (with staleness bounds) per call. Every call has a timeout (retries
/// included) and a cancellation token. Commands carry a client session stamp, so a command retried after a lost
/// answer applies once. Thread-safe: share one client per group, and dispose it to close its session.
/// </summary>
/// <remarks>
/// A call that times out or is cancelled may still have applied: only its retries are deduplicated. What the group
/// refuses, or what its state machine threw on, throws <see cref="RaftCommandException"/>; a group that does not exist
/// throws <see cref="RaftGroupNotFoundException"/>.
/// </remarks>
public sealed class RaftGroupClient<TCommand, TResult> : IAsyncDisposable
{
    private readonly RaftMemberRouter _router;
    private readonly RaftClientSession _session;
    private readonly RaftClientOptions _options;
    private readonly RaftTypedCodec _codec;

    public RaftGroupClient(IGrainFactory grains, Serializer serializer, string groupId, IReadOnlyList<ulong> members, RaftClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        RaftMemberKey.ValidateGroupId(groupId);
        Members = RaftGroupLookup.Validate(members);
        _options = options ?? new RaftClientOptions();
        _options.Validate();
        _codec = new RaftTypedCodec(serializer);
        _session = new RaftClientSession(_options.SessionWindow);
        GroupId = groupId;
        _router = new RaftMemberRouter(grains, groupId, [.. Members], _options.Retry, "the Raft group");
    }

    /// <summary>A client of group <paramref name="groupId"/>, with the membership its admin grain records and the client's serializer.</summary>
    public static Task<RaftGroupClient<TCommand, TResult>> ConnectAsync(IClusterClient client, string groupId, RaftClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return ConnectAsync(client, client.ServiceProvider.GetRequiredService<Serializer>(), groupId, options);
    }

    /// <summary>As the other overload, from a grain (its <c>GrainFactory</c> and the silo's <see cref="Serializer"/>) or a client.</summary>
    public static async Task<RaftGroupClient<TCommand, TResult>> ConnectAsync(
        IGrainFactory grains, Serializer serializer, string groupId, RaftClientOptions? options = null)
    {
        var settings = options ?? new RaftClientOptions();
        var members = await RaftGroupLookup.MembersAsync(grains, groupId, settings.RequestTimeout, settings.InitialBackoff, settings.MaxBackoff);
        return new RaftGroupClient<TCommand, TResult>(grains, serializer, groupId, members, options);
    }

    public string GroupId { get; }

    public IReadOnlyList<ulong> Members { get; }

    /// <summary>The member the client believes leads, or 0.</summary>
    public ulong Leader => _router.Leader;

    /// <summary>The client session's id once opened, or 0.</summary>
    public ulong SessionId => _session.Id;

    /// <summary>Proposes <paramref name="command"/> and returns the state machine's result once it applied.</summary>
    public async Task<TResult> ProposeAsync(TCommand command, RaftCallOptions? call = null, CancellationToken cancellationToken = default) =>
        (await WriteAsync(command, call, cancellationToken)).Result;

    /// <summary>As <see cref="ProposeAsync"/>, and tells which member applied the command at which log index.</summary>
    public async Task<RaftWrite<TResult>> WriteAsync(TCommand command, RaftCallOptions? call = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var timeout = TimeoutOf(call);
        var payload = _codec.Encode(command);
        if (!_options.UseSessions)
        {
            var unstamped = await ProposeOnceAsync(new RaftEnvelope(RaftEnvelopeKind.Command, 0, 0, 0, payload), timeout, cancellationToken);
            return new RaftWrite<TResult>(Expect(unstamped.Response), unstamped.MemberId, unstamped.Index);
        }

        for (var attempt = 0; ; attempt++)
        {
            var sessionId = await _session.GetIdAsync(() => OpenSessionAsync(timeout), cancellationToken);
            var stamp = await _session.BeginAsync(sessionId, timeout, cancellationToken);
            Proposed proposed;
            try
            {
                // Every attempt sends the same envelope: the group applies it at most once however often it arrives.
                var envelope = new RaftEnvelope(RaftEnvelopeKind.Command, stamp.SessionId, stamp.Sequence, stamp.AcknowledgedBelow, payload);
                proposed = await ProposeOnceAsync(envelope, timeout, cancellationToken);
            }
            finally
            {
                _session.End(stamp.Sequence);
            }

            // An unknown session refused the command without running it: send it once more in a fresh session.
            if (proposed.Response.Status == RaftResponseStatus.SessionExpired && attempt == 0)
            {
                _session.Expired(sessionId);
                continue;
            }

            return new RaftWrite<TResult>(Expect(proposed.Response), proposed.MemberId, proposed.Index);
        }
    }

    /// <summary>Answers <paramref name="query"/> with the call's consistency (by default <see cref="RaftClientOptions.DefaultReadConsistency"/>).</summary>
    public async Task<TResult> QueryAsync(TCommand query, RaftCallOptions? call = null, CancellationToken cancellationToken = default) =>
        (await ReadAsync(query, call, cancellationToken)).Result;

    /// <summary>As <see cref="QueryAsync"/>, and tells which member answered, at which index, and how stale it may be.</summary>
    public async Task<RaftRead<TResult>> ReadAsync(TCommand query, RaftCallOptions? call = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (call?.MaxLeaderSilence < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(call), call.MaxLeaderSilence, "MaxLeaderSilence must not be negative.");
        }

        var consistency = call?.Consistency ?? _options.DefaultReadConsistency;
        var encoded = _codec.Encode(query);
        var (reply, member) = consistency == ReadConsistency.Linearizable
            ? await _router.SendAsync(true, (m, token) => m.ReadAsync(encoded, token), Outcome, TimeoutOf(call), cancellationToken)
            : await _router.SendAsync(false, (m, _) => m.ReadLocalAsync(encoded), Outcome, TimeoutOf(call), cancellationToken, FreshEnough(call));
        var response = _codec.Decode<RaftResponse>(reply.Result, $"the answer of member {member}");
        return new RaftRead<TResult>(Expect(response), consistency, member, reply.Index)
        {
            Commit = reply.Commit,
            LeaderSilence = reply.LeaderSilence,
        };
    }

    /// <summary>Closes the client session, so the group drops its results now rather than when it is evicted.</summary>
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
            await ProposeOnceAsync(new RaftEnvelope(RaftEnvelopeKind.CloseSession, id, 0, 0, default), _options.AttemptTimeout, CancellationToken.None);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or RaftGroupNotFoundException)
        {
            // The group evicts an unused session on its own, and a deleted group has none left.
        }
    }

    private async Task<ulong> OpenSessionAsync(TimeSpan timeout)
    {
        // Unstamped: a retried opening may open a second session, which is evicted unused.
        var opened = await ProposeOnceAsync(new RaftEnvelope(RaftEnvelopeKind.OpenSession, 0, 0, 0, default), timeout, CancellationToken.None);
        return opened.Response.Status == RaftResponseStatus.SessionOpened
            ? opened.Response.SessionId
            : throw Refused(opened.Response);
    }

    private async Task<Proposed> ProposeOnceAsync(RaftEnvelope envelope, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var encoded = _codec.Encode(envelope);
        var (reply, member) = await _router.SendAsync(true, (m, token) => m.ProposeAsync(encoded, token), Outcome, timeout, cancellationToken);
        return new Proposed(_codec.Decode<RaftResponse>(reply.Result, $"the answer to entry {reply.Index}"), member, reply.Index);
    }

    private TResult Expect(RaftResponse response) =>
        response.Status == RaftResponseStatus.Ok ? _codec.Decode<TResult>(response.Payload, "the result") : throw Refused(response);

    private RaftCommandException Refused(RaftResponse response) =>
        new(GroupId, response.Status, response.Error ?? $"the group answered {response.Status}");

    /// <summary>The call's staleness bounds on a serializable query's answer, or null when it sets none.</summary>
    private static Func<RaftReadResult, bool>? FreshEnough(RaftCallOptions? call)
    {
        var minIndex = call?.MinIndex ?? 0;
        var maxSilence = call?.MaxLeaderSilence;
        if (minIndex == 0 && maxSilence is null)
        {
            return null;
        }

        return reply => reply.Index >= minIndex && (maxSilence is not { } bound || reply.LeaderSilence <= bound);
    }

    private TimeSpan TimeoutOf(RaftCallOptions? call) => call?.Timeout ?? _options.RequestTimeout;

    private static (RaftRequestStatus, ulong) Outcome(RaftProposeResult reply) => (reply.Status, reply.LeaderHint);

    private static (RaftRequestStatus, ulong) Outcome(RaftReadResult reply) => (reply.Status, reply.LeaderHint);

    private readonly record struct Proposed(RaftResponse Response, ulong MemberId, ulong Index);
}

/// <summary>A command's result, the member that applied it (the leader that answered) and its log index.</summary>
public sealed record RaftWrite<TResult>(TResult Result, ulong MemberId, ulong Index);

/// <summary>
/// A query's answer and where it came from; <see cref="Index"/> is the log index the answering member had applied at
/// least. A serializable answer also says how stale it may be: <see cref="Commit"/> is the commit index the member
/// knew and <see cref="LeaderSilence"/> the time since it last heard from a leader (both zero for linearizable ones).
/// </summary>
public sealed record RaftRead<TResult>(TResult Result, ReadConsistency Consistency, ulong MemberId, ulong Index)
{
    public ulong Commit { get; init; }

    public TimeSpan LeaderSilence { get; init; }
}
