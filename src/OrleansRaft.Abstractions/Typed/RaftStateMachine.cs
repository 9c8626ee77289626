using Orleans.Serialization;

namespace OrleansRaft.Abstractions;

/// <summary>Where a command sits in the log.</summary>
public readonly record struct RaftCommandContext(ulong Index, ulong Term);

/// <summary>
/// A state machine with typed commands, results and state, over <see cref="IRaftStateMachine"/>: commands, results
/// and snapshots use the Orleans serializer (mark the types <c>[GenerateSerializer]</c>), and client sessions come
/// with it, so that a command retried by <c>RaftGroupClient</c> applies once.
/// </summary>
/// <remarks>
/// <para>The state lives in <see cref="State"/>; a snapshot is that object serialized, with the sessions. Implement
/// <see cref="Apply"/> and <see cref="Query"/> deterministically: every member runs the same commands in the same
/// order and must reach the same state. Queries are commands too (one type for both keeps the client simple), answered
/// without a log entry; they must not change the state.</para>
/// <para>An entry that does not decode as an <see cref="RaftEnvelope"/> of a <typeparamref name="TCommand"/> changes
/// nothing and is answered <see cref="RaftResponseStatus.Undecodable"/>. An exception thrown by <see cref="Apply"/> is
/// answered <see cref="RaftResponseStatus.Failed"/> with its message; the state stays as <see cref="Apply"/> left it,
/// so validate before changing anything.</para>
/// </remarks>
public abstract class RaftStateMachine<TState, TCommand, TResult> : IRaftStateMachine
    where TState : class, new()
{
    private readonly RaftSessionLimits _limits;
    private RaftSessionTable _sessions;

    protected RaftStateMachine(Serializer serializer, RaftSessionLimits? limits = null)
    {
        Codec = new RaftTypedCodec(serializer);
        _limits = limits ?? RaftSessionLimits.Default;
        _sessions = new RaftSessionTable(_limits);
    }

    /// <summary>The replicated state: change it only in <see cref="Apply"/>.</summary>
    protected TState State { get; private set; } = new();

    protected RaftTypedCodec Codec { get; }

    /// <summary>Applies one committed command and returns its result for the proposer.</summary>
    protected abstract TResult Apply(TCommand command, RaftCommandContext context);

    /// <summary>Answers a read against <see cref="State"/>, changing nothing.</summary>
    protected abstract TResult Query(TCommand query);

    void IRaftStateMachine.Apply(IReadOnlyList<RaftCommittedEntry> commands, Span<ReadOnlyMemory<byte>> results)
    {
        if (results.Length != commands.Count)
        {
            throw new ArgumentException($"{commands.Count} commands need as many result slots, not {results.Length}.", nameof(results));
        }

        for (var i = 0; i < commands.Count; i++)
        {
            results[i] = Codec.Encode(ApplyEntry(commands[i]));
        }
    }

    ReadOnlyMemory<byte> IRaftStateMachine.Query(ReadOnlyMemory<byte> query)
    {
        TCommand decoded;
        try
        {
            decoded = Codec.Decode<TCommand>(query, "the query");
        }
        catch (RaftDecodeException e)
        {
            return Codec.Encode(RaftResponse.Refused(RaftResponseStatus.Undecodable, e.Message));
        }

        return Codec.Encode(Run(() => Query(decoded)));
    }

    ReadOnlyMemory<byte> IRaftStateMachine.Snapshot() =>
        Codec.Encode(new RaftTypedSnapshot(_sessions, Codec.Encode(State)));

    /// <summary>
    /// Replaces sessions and state with the snapshot's; an empty snapshot (a new group's) is the empty state. A snapshot
    /// that does not decode throws <see cref="RaftDecodeException"/> and keeps the current state.
    /// </summary>
    void IRaftStateMachine.Restore(ReadOnlyMemory<byte> snapshot)
    {
        if (snapshot.IsEmpty)
        {
            _sessions = new RaftSessionTable(_limits);
            State = new TState();
            return;
        }

        var decoded = Codec.Decode<RaftTypedSnapshot>(snapshot, "the snapshot");
        var state = Codec.Decode<TState>(decoded.State, "the snapshot's state");
        _sessions = decoded.Sessions;
        State = state;
    }

    private RaftResponse ApplyEntry(RaftCommittedEntry entry)
    {
        RaftEnvelope envelope;
        try
        {
            envelope = Codec.Decode<RaftEnvelope>(entry.Data, $"entry {entry.Index}");
        }
        catch (RaftDecodeException e)
        {
            return RaftResponse.Refused(RaftResponseStatus.Undecodable, e.Message);
        }

        var context = new RaftCommandContext(entry.Index, entry.Term);
        return _sessions.Apply(entry.Index, envelope, payload =>
        {
            TCommand command;
            try
            {
                command = Codec.Decode<TCommand>(payload, $"the command of entry {entry.Index}");
            }
            catch (RaftDecodeException e)
            {
                return RaftResponse.Refused(RaftResponseStatus.Undecodable, e.Message);
            }

            return Run(() => Apply(command, context));
        });
    }

    private RaftResponse Run(Func<TResult> body)
    {
        TResult result;
        try
        {
            result = body();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The proposer learns what went wrong; the member goes on, as every member does on the same command.
            return RaftResponse.Refused(RaftResponseStatus.Failed, e.Message);
        }

        return RaftResponse.Ok(Codec.Encode(result));
    }
}
