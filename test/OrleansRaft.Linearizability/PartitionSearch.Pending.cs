namespace OrleansRaft.Linearizability;

/// <summary>The pending phase: which pending operations to try, and where.</summary>
internal sealed partial class PartitionSearch<TState, TInput, TOutput>
{
    // Just-in-time placement, when the model supports it: enablers[o] lists the pending operations that may
    // enable operation o. The stamp marks, for the current scan, the relevant pending operations; relevant lists
    // the operations found so far.
    private readonly int[][]? enablers;
    private readonly int[] relevantStamp;

    // For each pending operation, how many of the operations it may enable are not linearized. At zero it can
    // enable nothing that is left, so it is never tried again and the cache key leaves it out: configurations
    // that differ only in whether it took effect (and agree on the state) have the same future.
    private readonly int[] liveTargets;
    private readonly List<int> relevant = [];
    private int stamp;

    private (int[][]? Enablers, int[] RelevantStamp, int[] LiveTargets) PrepareJustInTime()
    {
        if (model is not IJustInTimePending<TInput, TOutput> jit)
        {
            return (null, [], []);
        }

        var live = new int[ops.Length];
        var lists = new int[ops.Length][];
        var list = new List<int>();
        for (int o = 0; o < ops.Length; o++)
        {
            list.Clear();
            for (int p = completedCount; p < ops.Length; p++)
            {
                if (p != o && jit.MayEnable(ops[p], ops[o]))
                {
                    list.Add(p);
                    live[p]++;
                }
            }

            lists[o] = list.ToArray();
        }

        for (int p = completedCount; p < ops.Length; p++)
        {
            linearized.SetKeyed(p, live[p] > 0);
        }

        return (lists, new int[ops.Length], live);
    }

    /// <summary>Keeps <see cref="liveTargets"/> and the cache key's mask up to date as <paramref name="op"/> comes and goes.</summary>
    private void TrackTargets(int op, bool linearizedNow)
    {
        if (enablers is null)
        {
            return;
        }

        foreach (int p in enablers[op])
        {
            int left = liveTargets[p] += linearizedNow ? -1 : 1;
            if (left == (linearizedNow ? 0 : 1))
            {
                linearized.SetKeyed(p, !linearizedNow);
            }
        }
    }

    /// <summary>
    /// The latest call time of a pending candidate: a pending operation can take effect next only if it was
    /// called no later than the first outstanding return (equal times count as concurrent).
    /// </summary>
    private long PendingCallLimit() => events.Time(events.FirstReturn());

    /// <summary>Tries every pending candidate from operation <paramref name="cursor"/> on.</summary>
    private Attempt TryLiftAnyPending(int cursor)
    {
        long limit = PendingCallLimit();
        for (int p = cursor; p < ops.Length && ops[p].Call <= limit; p++)
        {
            if (pendingDone[p])
            {
                continue;
            }

            var attempt = TryPending(p);
            if (attempt != Attempt.None)
            {
                return attempt;
            }
        }

        return Attempt.None;
    }

    /// <summary>
    /// Tries the pending candidates from operation <paramref name="cursor"/> on, just in time: only those that
    /// may enable, directly or through other pending candidates, a completed candidate the current state rejects.
    /// See <see cref="IJustInTimePending{TInput, TOutput}"/>.
    /// </summary>
    private Attempt TryLiftEnablingPending(int cursor)
    {
        long limit = PendingCallLimit();
        int first = cursor;
        while (first < ops.Length && ops[first].Call <= limit && pendingDone[first])
        {
            first++;
        }

        if (first == ops.Length || ops[first].Call > limit)
        {
            return Attempt.None;
        }

        stamp++;
        relevant.Clear();
        for (int e = events.First; events.IsCall[e]; e = events.Next(e))
        {
            int op = events.Op(e);
            if (!Apply(op).Accepted)
            {
                relevant.Add(op);
            }
        }

        for (int i = 0; i < relevant.Count; i++)
        {
            foreach (int p in enablers![relevant[i]])
            {
                if (relevantStamp[p] != stamp && !pendingDone[p] && ops[p].Call <= limit)
                {
                    relevantStamp[p] = stamp;
                    relevant.Add(p);
                }
            }
        }

        for (int p = first; p < ops.Length && ops[p].Call <= limit; p++)
        {
            if (relevantStamp[p] != stamp)
            {
                continue;
            }

            var attempt = TryPending(p);
            if (attempt != Attempt.None)
            {
                return attempt;
            }
        }

        return Attempt.None;
    }

    private Attempt TryPending(int p)
    {
        if (steps >= maxSteps)
        {
            return Attempt.OutOfSteps;
        }

        // A pending operation that changes nothing leads to a configuration the current one subsumes.
        var after = Apply(p).State;
        return !model.StateComparer.Equals(after, state) && TryPush(p, p, after, Phase.Pending)
            ? Attempt.Lifted
            : Attempt.None;
    }
}
