namespace OrleansRaft.Linearizability;

/// <summary>
/// The Wing–Gong depth-first search with Lowe's improvements, over one partition of a history.
/// </summary>
/// <remarks>
/// <para>The search walks the time-ordered events of the operations not yet linearized. The candidates are the
/// calls that come before the first outstanding return: those operations may take effect next, and the
/// operation of that first return must take effect before anything that starts after it. Linearizing a
/// candidate lifts its events out of the list; when no candidate works, the search backtracks.</para>
/// <para>Lowe's cache remembers each configuration (linearized set, model state) entered, so no configuration is
/// explored twice. Operations are linearized just in time: the search ends as soon as every completed
/// operation is placed, so a pending operation takes effect only where it explains an observation, and is
/// otherwise taken never to have happened.</para>
/// <para>A candidate that is read-only and accepted in the current state is linearized greedily: if any
/// linearization exists from here, one exists that starts with it (it changes no state, and nothing still
/// outstanding must precede it), so its alternatives are never tried.</para>
/// </remarks>
internal sealed class PartitionSearch<TState, TInput, TOutput>
    where TState : notnull
{
    private readonly IModel<TState, TInput, TOutput> model;
    private readonly Operation<TInput, TOutput>[] ops;
    private readonly bool[] readOnly;
    private readonly EventList events;
    private readonly LinearizedSet linearized;
    private readonly StateTable<TState> states;
    private readonly SearchCache cache;
    private readonly long maxSteps;

    // The path: frame k lifted the call event frameCall[k] when the state was frameState[k] (an interned id).
    private readonly int[] frameCall;
    private readonly int[] frameState;
    private readonly bool[] frameGreedy;
    private int depth;
    private TState state;
    private int stateId;

    // Completed operations not yet linearized; the search succeeds when none is left.
    private int remaining;
    private long steps;

    // The deepest failing configuration so far. Frames below lowWater are unchanged since it was recorded,
    // so recording a deeper one copies only the frames above.
    private int bestDepth = -1;
    private int lowWater;
    private readonly List<Operation<TInput, TOutput>> bestPrefix = [];
    private Operation<TInput, TOutput>? bestUnplaced;
    private TState bestState;

    /// <param name="operations">Completed operations first, in call order, then pending ones.</param>
    private PartitionSearch(
        IModel<TState, TInput, TOutput> model, Operation<TInput, TOutput>[] operations, int completedCount, long maxSteps)
    {
        this.model = model;
        ops = operations;
        this.maxSteps = maxSteps;
        remaining = completedCount;
        readOnly = new bool[ops.Length];
        var calls = new long[ops.Length];
        var returns = new long[ops.Length];
        var pending = new bool[ops.Length];
        for (int i = 0; i < ops.Length; i++)
        {
            readOnly[i] = model.IsReadOnly(ops[i]);
            calls[i] = ops[i].Call;
            returns[i] = ops[i].Return;
            pending[i] = ops[i].IsPending;
        }

        events = new EventList(calls, returns, pending);
        linearized = new LinearizedSet(completedCount, ops.Length - completedCount);
        states = new StateTable<TState>(model.StateComparer);
        cache = new SearchCache(linearized);
        frameCall = new int[ops.Length];
        frameState = new int[ops.Length];
        frameGreedy = new bool[ops.Length];
        state = model.Initial;
        stateId = states.Intern(state);
        bestState = state;
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
                attempt = TryLiftFrom(events.First);
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

                int resumeAt = Pop();
                if (resumeAt < 0)
                {
                    continue;
                }

                attempt = TryLiftFrom(resumeAt);
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

            if (steps == maxSteps)
            {
                return Attempt.OutOfSteps;
            }

            steps++;

            var result = Apply(op);
            if (result.Accepted)
            {
                // A cache hit means the configuration after it fails, and so, by the greedy argument, does this one.
                return TryPush(e, result.State, greedy: true) ? Attempt.Lifted : Attempt.Failed;
            }
        }

        return Attempt.None;
    }

    /// <summary>
    /// Tries the candidates that change state, from call event <paramref name="cursor"/> on. Read-only candidates
    /// are skipped: <see cref="TryLiftReadOnly"/> found each of them rejected in this configuration.
    /// </summary>
    private Attempt TryLiftFrom(int cursor)
    {
        for (int e = cursor; events.IsCall[e]; e = events.Next(e))
        {
            int op = events.Op(e);
            if (readOnly[op])
            {
                continue;
            }

            if (steps == maxSteps)
            {
                return Attempt.OutOfSteps;
            }

            steps++;

            var result = Apply(op);
            if (result.Accepted && TryPush(e, result.State, greedy: false))
            {
                return Attempt.Lifted;
            }
        }

        return Attempt.None;
    }

    private StepResult<TState> Apply(int op)
    {
        var operation = ops[op];
        return operation.IsPending
            ? StepResult<TState>.Accept(model.StepPending(state, operation.Input))
            : model.Step(state, operation.Input, operation.Output!);
    }

    /// <summary>Enters the configuration reached by linearizing the call at <paramref name="call"/>, unless it is cached.</summary>
    private bool TryPush(int call, TState next, bool greedy)
    {
        int op = events.Op(call);

        // A step that returns its state unchanged (a read) needs no lookup.
        int nextId = ReferenceEquals(next, state) ? stateId : states.Intern(next);
        linearized.Add(op);
        if (!cache.TryAdd(nextId))
        {
            linearized.Remove(op);
            return false;
        }

        frameCall[depth] = call;
        frameState[depth] = stateId;
        frameGreedy[depth] = greedy;
        depth++;
        events.Lift(call);
        state = states[nextId];
        stateId = nextId;
        if (!ops[op].IsPending)
        {
            remaining--;
        }

        return true;
    }

    /// <summary>
    /// Undoes the latest linearization. Returns the event to resume the scan from, or -1 when that frame was
    /// greedy, which means the configuration it started from fails too.
    /// </summary>
    private int Pop()
    {
        depth--;
        lowWater = Math.Min(lowWater, depth);
        int call = frameCall[depth];
        int op = events.Op(call);
        linearized.Remove(op);
        events.Unlift(call);
        stateId = frameState[depth];
        state = states[stateId];
        if (!ops[op].IsPending)
        {
            remaining++;
        }

        return frameGreedy[depth] ? -1 : events.Next(call);
    }

    private void RecordIfDeepest()
    {
        if (depth <= bestDepth)
        {
            return;
        }

        bestDepth = depth;
        bestPrefix.RemoveRange(lowWater, bestPrefix.Count - lowWater);
        for (int k = lowWater; k < depth; k++)
        {
            bestPrefix.Add(ops[events.Op(frameCall[k])]);
        }

        lowWater = depth;

        bestState = state;

        // Some completed operation is outstanding, so the list holds a return event: the first one is the
        // operation that has to take effect next and could not.
        int e = events.First;
        while (events.IsCall[e])
        {
            e = events.Next(e);
        }

        bestUnplaced = ops[events.Op(e)];
    }

    private SearchOutcome<TState, TInput, TOutput> Finish(CheckOutcome outcome)
    {
        if (outcome == CheckOutcome.Ok)
        {
            return new SearchOutcome<TState, TInput, TOutput>(outcome, steps, cache.Count, [], null, state);
        }

        if (outcome == CheckOutcome.Unknown)
        {
            RecordIfDeepest();
        }

        return new SearchOutcome<TState, TInput, TOutput>(outcome, steps, cache.Count, bestPrefix.ToArray(), bestUnplaced, bestState);
    }
}
