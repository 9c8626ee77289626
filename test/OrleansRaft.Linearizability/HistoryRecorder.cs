namespace OrleansRaft.Linearizability;

/// <summary>
/// Records a history as it happens: <see cref="Invoke"/> when a client calls, <see cref="Complete"/> when the call
/// returns. Calls never completed become pending operations. Not thread-safe.
/// </summary>
public sealed class HistoryRecorder<TInput, TOutput>
{
    private readonly List<Entry> entries = [];

    public int Count => entries.Count;

    /// <summary>Records a call and returns its id, to pass to <see cref="Complete"/>.</summary>
    public int Invoke(int clientId, long time, TInput input)
    {
        if (time == Operation.NeverReturned)
        {
            throw new ArgumentOutOfRangeException(nameof(time), time, "The call time must be less than long.MaxValue.");
        }

        entries.Add(new Entry(clientId, time, input));
        return entries.Count - 1;
    }

    public void Complete(int id, long time, TOutput output)
    {
        if ((uint)id >= (uint)entries.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, "No call has this id.");
        }

        var entry = entries[id];
        if (entry.Returned)
        {
            throw new InvalidOperationException($"Operation {id} has already returned.");
        }

        if (time < entry.Call || time == Operation.NeverReturned)
        {
            throw new ArgumentOutOfRangeException(
                nameof(time), time, $"The return time must be at least the call time ({entry.Call}) and less than long.MaxValue.");
        }

        entry.Returned = true;
        entry.Return = time;
        entry.Output = output;
    }

    /// <summary>The history so far, in call order of recording; operations not yet completed are pending.</summary>
    public IReadOnlyList<Operation<TInput, TOutput>> ToHistory()
    {
        var history = new Operation<TInput, TOutput>[entries.Count];
        for (int i = 0; i < history.Length; i++)
        {
            var e = entries[i];
            history[i] = e.Returned
                ? Operation.Completed(e.ClientId, e.Call, e.Return, e.Input, e.Output!)
                : Operation.Pending<TInput, TOutput>(e.ClientId, e.Call, e.Input);
        }

        return history;
    }

    private sealed class Entry(int clientId, long call, TInput input)
    {
        public int ClientId { get; } = clientId;

        public long Call { get; } = call;

        public TInput Input { get; } = input;

        public bool Returned { get; set; }

        public long Return { get; set; }

        public TOutput? Output { get; set; }
    }
}
