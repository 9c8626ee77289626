using System.Collections.Immutable;

namespace OrleansRaft.Linearizability.Tests.Support;

/// <summary>
/// The definition of linearizability, executed literally for small histories: try every order of the
/// operations that respects real-time precedence, with each pending operation placed anywhere or nowhere,
/// against a specification written independently of <see cref="KvModel"/>. No partitioning, no cache.
/// </summary>
internal static class ReferenceChecker
{
    public static bool IsLinearizable(IReadOnlyList<Operation<KvInput, KvOutput>> history)
    {
        if (history.Count > 10)
        {
            throw new ArgumentException("The reference search is exponential: keep histories to 10 operations.");
        }

        return Search(history, new bool[history.Count], ImmutableDictionary<string, string>.Empty);
    }

    private static bool Search(IReadOnlyList<Operation<KvInput, KvOutput>> history, bool[] placed, ImmutableDictionary<string, string> store)
    {
        if (Enumerable.Range(0, history.Count).All(i => placed[i] || history[i].IsPending))
        {
            return true;
        }

        for (int i = 0; i < history.Count; i++)
        {
            if (placed[i] || MustWait(history, placed, i))
            {
                continue;
            }

            var op = history[i];
            if (!TryApply(store, op, out var next))
            {
                continue;
            }

            placed[i] = true;
            bool found = Search(history, placed, next);
            placed[i] = false;
            if (found)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when some unplaced operation returned before operation <paramref name="i"/> was called.</summary>
    private static bool MustWait(IReadOnlyList<Operation<KvInput, KvOutput>> history, bool[] placed, int i)
    {
        for (int j = 0; j < history.Count; j++)
        {
            if (j != i && !placed[j] && !history[j].IsPending && history[j].Return < history[i].Call)
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryApply(ImmutableDictionary<string, string> store, Operation<KvInput, KvOutput> op, out ImmutableDictionary<string, string> next)
    {
        var input = op.Input;
        string? current = store.TryGetValue(input.Key, out var v) ? v : null;
        next = store;
        switch (input.Kind)
        {
            case KvOperationKind.Put:
                next = store.SetItem(input.Key, input.Value!);
                return true;
            case KvOperationKind.Get:
                return op.IsPending || current == op.Output!.Value;
            default:
                bool swaps = current == input.Expected;
                if (!op.IsPending && op.Output!.Swapped != swaps)
                {
                    return false;
                }

                if (swaps)
                {
                    next = store.SetItem(input.Key, input.Value!);
                }

                return true;
        }
    }
}
