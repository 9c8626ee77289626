namespace OrleansRaft.Linearizability;

/// <summary>
/// The Wing–Gong depth-first search with Lowe's improvements, over one partition of a history.
/// </summary>
/// <remarks>
/// <para>The search walks the time-ordered events of the completed operations not yet linearized. The candidates
/// are the calls that come before the first outstanding return, plus the pending operations called by then:
/// those operations may take effect next, and the operation of that first return must take effect before
/// anything that starts after it. Linearizing a candidate lifts its events out of the list; when no candidate
/// works, the search backtracks.</para>
/// <para>Lowe's cache remembers each configuration (linearized set, model state) entered, so no configuration is
/// explored twice (<see cref="SearchCache"/>, which also skips configurations subsumed by one with fewer pending
/// operations). Operations are linearized just in time: the search ends as soon as every completed operation is
/// placed, so a pending operation is otherwise taken never to have happened; and when the model implements
/// <see cref="IJustInTimePending{TInput, TOutput}"/>, a pending operation is tried only where it may enable a
/// completed candidate that the current state rejects. Completed candidates are tried before pending ones, so
/// that the configurations without a pending operation are known first and subsume those with it.</para>
/// <para>A candidate that is read-only and accepted in the current state is linearized greedily: if any
/// linearization exists from here, one exists that starts with it (it changes no state, and nothing still
/// outstanding must precede it), so its alternatives are never tried.</para>
/// </remarks>
internal sealed partial class PartitionSearch<TState, TInput, TOutput>
    where TState : notnull
{
    private readonly IModel<TState, TInput, TOutput> model;

    // Completed operations are 0 .. completedCount - 1, then pending ones; each group in call order.
    private readonly Operation<TInput, TOutput>[] ops;
    private readonly int completedCount;
    private readonly bool[] readOnly;
    private readonly EventList events;
    private readonly bool[] pendingDone;
    private readonly LinearizedSet linearized;
    private readonly StateTable<TState> states;
    private readonly SearchCache cache;
    private readonly long maxSteps;

    // The path. Frame k linearized, in phase frameKind[k], the completed operation whose call event is
    // frameRef[k] or the pending operation frameRef[k], when the state was frameState[k] (an interned id).
    private readonly int[] frameRef;
    private readonly int[] frameState;
    private readonly Phase[] frameKind;
    private int depth;
    private TState state;
    private int stateId;

    // Completed operations not yet linearized; the search succeeds when none is left.
    private int remaining;

    // Model steps taken, the measure of the budget.
    private long steps;

    private PartitionSearch(
        IModel<TState, TInput, TOutput> model, Operation<TInput, TOutput>[] operations, int completedCount, long maxSteps)
    {
        this.model = model;
        ops = operations;
        this.completedCount = completedCount;
        this.maxSteps = maxSteps;
        remaining = completedCount;
        readOnly = new bool[ops.Length];
        for (int i = 0; i < ops.Length; i++)
        {
            readOnly[i] = model.IsReadOnly(ops[i]);
        }

        events = new EventList(
            ops.Take(completedCount).Select(o => o.Call).ToArray(),
            ops.Take(completedCount).Select(o => o.Return).ToArray());
        pendingDone = new bool[ops.Length];
        linearized = new LinearizedSet(completedCount, ops.Length - completedCount);
        states = new StateTable<TState>(model.StateComparer);
        cache = new SearchCache(linearized);
        frameRef = new int[ops.Length];
        frameState = new int[ops.Length];
        frameKind = new Phase[ops.Length];
        state = model.Initial;
        stateId = states.Intern(state);
        bestState = state;
        (enablers, relevantStamp, liveTargets) = PrepareJustInTime();

        // The initial configuration subsumes every one reached by pending operations alone that ends in it.
        cache.TryAdd(stateId);
    }

    /// <summary>Which candidates a frame's scan was going through.</summary>
    private enum Phase : byte
    {
        /// <summary>A read-only candidate, linearized greedily: the scan had nothing else to try.</summary>
        Greedy,

        /// <summary>Completed candidates that change state; pending candidates come after them.</summary>
        Completed,

        Pending,
    }

    private enum Attempt
    {
        /// <summary>No candidate was linearized.</summary>
        None,

        /// <summary>A candidate was linearized: the search is in a new configuration.</summary>
        Lifted,

        /// <summary>The current configuration is known to fail.</summary>
        Failed,

        OutOfSteps,
    }

    public static SearchOutcome<TState, TInput, TOutput> Run(
        IModel<TState, TInput, TOutput> model, IReadOnlyList<Operation<TInput, TOutput>> partition, long maxSteps)
    {
        // A pending read-only operation cannot explain any observation: take it never to have happened.
        var kept = partition.Where(o => !(o.IsPending && model.IsReadOnly(o))).ToList();
        var ordered = kept.Select((o, i) => (Op: o, Position: i))
            .OrderBy(x => x.Op.IsPending)
            .ThenBy(x => x.Op.Call)
            .ThenBy(x => x.Position)
            .Select(x => x.Op)
            .ToArray();
        int completed = kept.Count(o => !o.IsPending);
        return new PartitionSearch<TState, TInput, TOutput>(model, ordered, completed, maxSteps).Search();
    }

    private SearchOutcome<TState, TInput, TOutput> Search()
    {
        while (true)
        {
            if (remaining == 0)
            {
                return Finish(CheckOutcome.Ok);
            }

            var attempt = TryLiftReadOnly();
            if (attempt == Attempt.None)
            {
                attempt = TryLiftFrom(events.First, Phase.Completed);
            }

            if (attempt == Attempt.Lifted)
            {
                continue;
            }

            if (attempt == Attempt.OutOfSteps)
            {
                return Finish(CheckOutcome.Unknown);
            }

            // The current configuration fails: back up to the nearest frame with candidates left to try.
            while (true)
            {
                RecordIfDeepest();
                if (depth == 0)
                {
                    return Finish(CheckOutcome.Violation);
                }

                var (resumeAt, phase) = Pop();
                if (phase == Phase.Greedy)
                {
                    continue;
                }

                attempt = TryLiftFrom(resumeAt, phase);
                if (attempt == Attempt.Lifted)
                {
                    break;
                }

                if (attempt == Attempt.OutOfSteps)
                {
                    return Finish(CheckOutcome.Unknown);
                }
            }
        }
    }

    /// <summary>Linearizes the first read-only candidate the model accepts, greedily.</summary>
    private Attempt TryLiftReadOnly()
    {
        for (int e = events.First; events.IsCall[e]; e = events.Next(e))
        {
            int op = events.Op(e);
            if (!readOnly[op])
            {
                continue;
            }

            if (steps >= maxSteps)
            {
                return Attempt.OutOfSteps;
            }

            var result = Apply(op);
            if (result.Accepted)
            {
                // A cache hit means the configuration after it fails, and so, by the greedy argument, does this one.
                return TryPush(op, e, result.State, Phase.Greedy) ? Attempt.Lifted : Attempt.Failed;
            }
        }

        return Attempt.None;
    }

    /// <summary>
    /// Resumes the scan of candidates that change state at <paramref name="cursor"/>: a call event in the completed
    /// phase, after which the pending phase starts from the first pending operation; or a pending operation.
    /// Read-only candidates are skipped: <see cref="TryLiftReadOnly"/> found each of them rejected in this
    /// configuration.
    /// </summary>
    private Attempt TryLiftFrom(int cursor, Phase phase)
    {
        if (phase == Phase.Completed)
        {
            for (int e = cursor; events.IsCall[e]; e = events.Next(e))
            {
                int op = events.Op(e);
                if (readOnly[op])
                {
                    continue;
                }

                if (steps >= maxSteps)
                {
                    return Attempt.OutOfSteps;
                }

                var result = Apply(op);
                if (result.Accepted && TryPush(op, e, result.State, Phase.Completed))
                {
                    return Attempt.Lifted;
                }
            }

            cursor = completedCount;
        }

        return enablers is null ? TryLiftAnyPending(cursor) : TryLiftEnablingPending(cursor);
    }

    private StepResult<TState> Apply(int op)
    {
        steps++;
        var operation = ops[op];
        return operation.IsPending
            ? StepResult<TState>.Accept(model.StepPending(state, operation.Input))
            : model.Step(state, operation.Input, operation.Output!);
    }

    /// <summary>
    /// Enters the configuration reached by linearizing <paramref name="op"/> (whose call event is
    /// <paramref name="reference"/> when it is completed), unless a known configuration equals or subsumes it.
    /// </summary>
    private bool TryPush(int op, int reference, TState next, Phase phase)
    {
        // A step that returns its state unchanged (a read) needs no lookup.
        int nextId = ReferenceEquals(next, state) ? stateId : states.Intern(next);
        linearized.Add(op);
        TrackTargets(op, linearizedNow: true);
        if (!cache.TryAdd(nextId))
        {
            TrackTargets(op, linearizedNow: false);
            linearized.Remove(op);
            return false;
        }

        frameRef[depth] = reference;
        frameState[depth] = stateId;
        frameKind[depth] = phase;
        depth++;
        if (op < completedCount)
        {
            events.Lift(reference);
            remaining--;
        }
        else
        {
            pendingDone[op] = true;
        }

        state = states[nextId];
        stateId = nextId;
        return true;
    }

    /// <summary>Undoes the latest linearization; returns where and in which phase to resume the scan.</summary>
    private (int ResumeAt, Phase Phase) Pop()
    {
        depth--;
        lowWater = Math.Min(lowWater, depth);
        int reference = frameRef[depth];
        var phase = frameKind[depth];
        stateId = frameState[depth];
        state = states[stateId];
        int op = phase == Phase.Pending ? reference : events.Op(reference);
        TrackTargets(op, linearizedNow: false);
        if (phase == Phase.Pending)
        {
            linearized.Remove(reference);
            pendingDone[reference] = false;
            return (reference + 1, phase);
        }

        linearized.Remove(op);
        events.Unlift(reference);
        remaining++;
        return (events.Next(reference), phase);
    }

    /// <summary>The operation a frame linearized.</summary>
    private int OpOf(int frame) => frameKind[frame] == Phase.Pending ? frameRef[frame] : events.Op(frameRef[frame]);
}
