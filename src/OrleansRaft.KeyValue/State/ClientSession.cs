namespace OrleansRaft.KeyValue;

/// <summary>
/// A client session (Raft thesis §6.3): the results of the client's commands that it has not acknowledged yet.
/// Invariant: every kept sequence is >= <see cref="Floor"/>; a sequence below the floor was answered and dropped.
/// </summary>
internal sealed class ClientSession
{
    public ClientSession(ulong id)
    {
        Id = id;
    }

    public ulong Id { get; }

    /// <summary>The log index of the last command that used the session: the eviction order when there are too many.</summary>
    public ulong LastUsedIndex { get; set; }

    /// <summary>The replicated clock when the session was last used: it expires after an idle timeout.</summary>
    public long LastUsedMilliseconds { get; set; }

    public ulong Floor { get; set; }

    public SortedDictionary<ulong, KvResult> Results { get; } = [];

    /// <summary>Drops the results below <paramref name="acknowledgedBelow"/>, then the oldest beyond <paramref name="max"/>.</summary>
    public void Trim(ulong acknowledgedBelow, int max)
    {
        if (acknowledgedBelow > Floor)
        {
            Floor = acknowledgedBelow;
        }

        while (Results.Count > 0)
        {
            var lowest = Results.First().Key;
            if (lowest >= Floor && Results.Count <= max)
            {
                break;
            }

            Results.Remove(lowest);
            if (lowest >= Floor && lowest < ulong.MaxValue)
            {
                Floor = lowest + 1;
            }
        }
    }
}

/// <summary>The open sessions by id.</summary>
internal sealed class SessionTable
{
    private readonly SortedDictionary<ulong, ClientSession> byId = [];

    public int Count => byId.Count;

    public IEnumerable<ClientSession> All => byId.Values;

    public ClientSession? Get(ulong id) => byId.GetValueOrDefault(id);

    public void Add(ClientSession session) => byId.Add(session.Id, session);

    public bool Remove(ulong id) => byId.Remove(id);

    /// <summary>The session unused the longest: lowest last-used index, then lowest id.</summary>
    public ClientSession? LeastRecentlyUsed()
    {
        ClientSession? oldest = null;
        foreach (var session in byId.Values)
        {
            if (oldest is null || session.LastUsedIndex < oldest.LastUsedIndex)
            {
                oldest = session;
            }
        }

        return oldest;
    }
}
