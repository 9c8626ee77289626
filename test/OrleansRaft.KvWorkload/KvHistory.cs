using OrleansRaft.Linearizability;

namespace OrleansRaft.KvWorkload;

/// <summary>
/// A register history recorded by concurrent clients, for <see cref="KvChecker"/>. Thread-safe.
/// </summary>
/// <remarks>
/// Times are ticks of one counter that every call and return advances under a lock: a call recorded before its
/// request is sent and a return recorded after its answer arrived keep the real-time order of the operations, and
/// no two events share a time. An operation whose outcome the client never learned (a timeout) stays pending: it
/// may have taken effect at any moment after its call. One the store refused changed nothing and is left out.
/// </remarks>
public sealed class KvHistory
{
    private readonly Lock _gate = new();
    private readonly HistoryRecorder<KvInput, KvOutput> _recorder = new();
    private readonly HashSet<int> _refused = [];
    private long _clock;

    /// <summary>Records a call; pass the id to <see cref="Complete"/> or <see cref="Refuse"/>, or to nothing when the outcome is unknown.</summary>
    public int Invoke(int clientId, KvInput input)
    {
        lock (_gate)
        {
            return _recorder.Invoke(clientId, ++_clock, input);
        }
    }

    public void Complete(int id, KvOutput output)
    {
        lock (_gate)
        {
            _recorder.Complete(id, ++_clock, output);
        }
    }

    /// <summary>The store refused the call: it changed nothing, and it is left out of the history.</summary>
    public void Refuse(int id)
    {
        lock (_gate)
        {
            _refused.Add(id);
        }
    }

    /// <summary>
    /// The history so far. A get that never returned is left out too: it read nothing anyone saw, so it constrains
    /// nothing, and leaving it out spares the checker a pending operation.
    /// </summary>
    public IReadOnlyList<Operation<KvInput, KvOutput>> ToHistory()
    {
        lock (_gate)
        {
            return [.. _recorder.ToHistory()
                .Where((op, id) => !_refused.Contains(id) && !(op.IsPending && op.Input.Kind == KvOperationKind.Get))];
        }
    }
}
