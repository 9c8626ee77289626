using OrleansRaft.Abstractions;

namespace OrleansRaft.KeyValue.Hosting;

/// <summary>
/// The key-value store behind a Raft member: committed commands go to <see cref="KvStateMachine.Apply(ulong, ReadOnlySpan{byte})"/>
/// with their log index, reads to <see cref="KvStateMachine.Query(ReadOnlySpan{byte})"/>. Commands, queries and
/// results are in <see cref="KvCodec"/>'s format; a bad command or query is answered with an encoded
/// <see cref="ErrorResult"/> and changes nothing, so no proposer can break a member.
/// </summary>
/// <remarks>
/// As an <see cref="IRaftLeaderClock"/>, it has the leader propose a <see cref="TickRequest"/> with the term as epoch
/// when something is due (<see cref="KvStateMachine.TickDueIn"/>) and before commands that may read a stale clock:
/// leases and idle sessions expire on the leader's clock, through the log, and a store without either appends nothing
/// while idle.
/// <para>As an <see cref="IRaftRequestGate"/>, it admits a request that names a user only with a token that proves it
/// (<see cref="KvRequestGate"/>).</para>
/// </remarks>
public sealed class KvRaftStateMachine : IRaftStateMachine, IRaftLeaderClock, IRaftRequestGate
{
    private readonly KvLimits _limits;
    private readonly KvRequestGate? _gate;
    private KvStateMachine _store;

    /// <summary>A store that admits no request naming a user (there is no key to check a token with).</summary>
    public KvRaftStateMachine(KvLimits? limits = null)
        : this(limits, null)
    {
    }

    internal KvRaftStateMachine(KvLimits? limits, KvRequestGate? gate)
    {
        _limits = limits ?? KvLimits.Default;
        _gate = gate;
        _store = new KvStateMachine(_limits);
    }

    /// <summary>The store, for hosts and tests that read it in process; the member owns every change.</summary>
    public KvStateMachine Store => _store;

    public void Apply(IReadOnlyList<RaftCommittedEntry> commands, Span<ReadOnlyMemory<byte>> results)
    {
        if (results.Length != commands.Count)
        {
            throw new ArgumentException($"{commands.Count} commands need as many result slots, not {results.Length}.", nameof(results));
        }

        for (var i = 0; i < commands.Count; i++)
        {
            var entry = commands[i];
            results[i] = _store.Apply(entry.Index, entry.Data.Span);
        }
    }

    public ReadOnlyMemory<byte>? OnLeaderTick(ulong term, long monotonicMilliseconds, bool proposing)
    {
        if (term > long.MaxValue || monotonicMilliseconds < 0)
        {
            return null;
        }

        var epoch = (long)term;
        var due = proposing
            ? _store.ClockStaleness(epoch, monotonicMilliseconds) is not { } stale || stale >= (long)IRaftLeaderClock.MinInterval.TotalMilliseconds
            : _store.TickDueIn(epoch, monotonicMilliseconds) == 0;
        return due ? KvCodec.EncodeCommand(new KvCommand(new TickRequest(epoch, monotonicMilliseconds))) : null;
    }

    public TimeSpan? NextTickDue(ulong term, long monotonicMilliseconds) =>
        term > long.MaxValue || monotonicMilliseconds < 0 || _store.TickDueIn((long)term, monotonicMilliseconds) is not { } due
            ? null
            : TimeSpan.FromMilliseconds(due);

    public ReadOnlyMemory<byte> Query(ReadOnlyMemory<byte> query) => _store.Query(query.Span);

    public ReadOnlyMemory<byte>? Refuse(string groupId, ReadOnlyMemory<byte> request, bool command, string? credential) =>
        _gate is { } gate ? gate.Refuse(groupId, request.Span, command, credential, _store.Revision)
        : KvCodec.TryPeekUser(request.Span, command, out var user, out _) && user.Length > 0
            ? KvCodec.EncodeResult(new ErrorResult(_store.Revision, KvErrorCode.InvalidAuthToken, $"the request names user {user}, but this store checks no tokens"))
            : null;

    public ReadOnlyMemory<byte> Snapshot() => _store.Snapshot();

    /// <summary>
    /// Replaces the store. An empty snapshot is the empty store (a group's bootstrap snapshot carries no bytes);
    /// a bad one throws <see cref="KvException"/> and keeps the current state.
    /// </summary>
    public void Restore(ReadOnlyMemory<byte> snapshot)
    {
        if (snapshot.IsEmpty)
        {
            _store = new KvStateMachine(_limits);
            return;
        }

        _store.Restore(snapshot.Span);
    }
}
