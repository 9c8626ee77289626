namespace OrleansRaft.Linearizability;

/// <summary>
/// The call and return events of the completed operations not yet linearized, in time order, as a circular
/// doubly linked list over arrays with a sentinel. Lifting an operation unlinks its two events; unlifting
/// relinks them. Unlifts happen in the reverse order of lifts (the search is depth-first), which is what lets
/// relinking restore the neighbours exactly.
/// </summary>
internal sealed class EventList
{
    private readonly int[] next;
    private readonly int[] prev;
    private readonly int[] op;
    private readonly long[] time;
    private readonly int[] returnOf;

    /// <param name="calls">Call time of each operation.</param>
    /// <param name="returns">Return time of each operation.</param>
    public EventList(long[] calls, long[] returns)
    {
        int operations = calls.Length;
        var events = new (long Time, int Kind, int Op)[operations * 2];
        for (int i = 0; i < operations; i++)
        {
            events[2 * i] = (calls[i], 0, i);
            events[(2 * i) + 1] = (returns[i], 1, i);
        }

        // At equal times calls sort before returns, so operations that touch in time count as concurrent.
        Array.Sort(events);

        int count = events.Length;
        Head = count;
        next = new int[count + 1];
        prev = new int[count + 1];
        op = new int[count + 1];
        time = new long[count + 1];
        IsCall = new bool[count + 1];
        CallOf = new int[operations];
        returnOf = new int[operations];
        for (int e = 0; e < count; e++)
        {
            op[e] = events[e].Op;
            time[e] = events[e].Time;
            IsCall[e] = events[e].Kind == 0;
            if (IsCall[e])
            {
                CallOf[op[e]] = e;
            }
            else
            {
                returnOf[op[e]] = e;
            }
        }

        // Event e links to e + 1; the last one links to the sentinel, which links back to the first.
        for (int e = 0; e <= count; e++)
        {
            next[e] = e == count ? 0 : e + 1;
            prev[e] = e == 0 ? count : e - 1;
        }
    }

    /// <summary>The sentinel. It is not a call, so scans that stop at the first return also stop there.</summary>
    public int Head { get; }

    public bool[] IsCall { get; }

    /// <summary>The call event of each operation.</summary>
    public int[] CallOf { get; }

    public int First => next[Head];

    public int Next(int e) => next[e];

    public int Op(int e) => op[e];

    public long Time(int e) => time[e];

    /// <summary>The first return event in the list, or the sentinel when the list is empty.</summary>
    public int FirstReturn()
    {
        int e = next[Head];
        while (IsCall[e])
        {
            e = next[e];
        }

        return e;
    }

    /// <summary>Unlinks the operation whose call event is <paramref name="call"/>, and its return event.</summary>
    public void Lift(int call)
    {
        Unlink(call);
        Unlink(returnOf[op[call]]);
    }

    /// <summary>Undoes the latest <see cref="Lift"/>, which must have been of <paramref name="call"/>.</summary>
    public void Unlift(int call)
    {
        Relink(returnOf[op[call]]);
        Relink(call);
    }

    private void Unlink(int e)
    {
        next[prev[e]] = next[e];
        prev[next[e]] = prev[e];
    }

    private void Relink(int e)
    {
        next[prev[e]] = e;
        prev[next[e]] = e;
    }
}
