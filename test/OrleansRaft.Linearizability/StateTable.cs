namespace OrleansRaft.Linearizability;

/// <summary>
/// Interns model states as small integers, so that the search stack and the cache hold ids: equal states
/// compare in one instruction, and the cache holds no references for the garbage collector to trace.
/// </summary>
internal sealed class StateTable<TState>(IEqualityComparer<TState> comparer)
    where TState : notnull
{
    private readonly Dictionary<TState, int> ids = new(comparer);
    private readonly List<TState> states = [];

    public int Count => states.Count;

    public TState this[int id] => states[id];

    public int Intern(TState state)
    {
        if (!ids.TryGetValue(state, out int id))
        {
            id = states.Count;
            ids.Add(state, id);
            states.Add(state);
        }

        return id;
    }
}
