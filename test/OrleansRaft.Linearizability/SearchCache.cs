using System.Runtime.InteropServices;

namespace OrleansRaft.Linearizability;

/// <summary>
/// Lowe's memoization, extended with subsumption for pending operations: the configurations (linearized set,
/// model state) the search has entered, each of which is on the current path or known to fail.
/// </summary>
/// <remarks>
/// <para>A configuration that adds only pending operations to a known one with the same state is subsumed by
/// it: a pending operation never has to precede anything, so whatever the larger configuration can still do,
/// the smaller one can do by leaving those operations out. A new configuration is skipped when a known one has
/// the same completed operations, the same state and a subset of its pending operations.</para>
/// <para>Two levels: an open-addressing table of plain structs (no references, so the collector never scans it)
/// keyed exactly by completed operations and state, each with a list of the pending sets seen with it. A new
/// pending set replaces the known ones it is a subset of, which can only be configurations that failed (the
/// configurations on the current path have subsets of the current set).</para>
/// </remarks>
internal sealed class SearchCache
{
    private const int InlineWords = 2;

    private readonly LinearizedSet set;
    private readonly ulong[] scratch;
    private Entry[] table = new Entry[1024];
    private ulong[] completedPool = new ulong[1024];
    private int completedPoolUsed;
    private int entries;

    // The pending sets, in singly linked lists from Entry.FirstVariant (-1 ends a list).
    private int[] variantNext = new int[1024];
    private int[] variantStart = new int[1024];
    private int[] variantLength = new int[1024];
    private int variants;
    private ulong[] pendingPool = new ulong[1024];
    private int pendingPoolUsed;

    public SearchCache(LinearizedSet set)
    {
        this.set = set;
        scratch = new ulong[set.MaxKeyLength];
    }

    /// <summary>How many configurations have been added (including those replaced since).</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Adds the current set with the state <paramref name="stateId"/>; false when a known configuration equals
    /// or subsumes it.
    /// </summary>
    public bool TryAdd(int stateId)
    {
        int length = set.WriteKey(scratch, out int low, out int completedLength);
        var completed = scratch.AsSpan(0, completedLength);
        var pending = scratch.AsSpan(completedLength, length - completedLength);
        ulong hash = set.CompletedHash ^ ((ulong)(uint)stateId * 0x9E3779B97F4A7C15UL);
        int mask = table.Length - 1;
        int slot = Slot(hash, mask);
        for (; table[slot].Length != 0; slot = (slot + 1) & mask)
        {
            ref var entry = ref table[slot];
            if (entry.Hash == hash
                && entry.StateId == stateId
                && entry.Low == low
                && entry.Length - 1 == completedLength
                && CompletedOf(in entry).SequenceEqual(completed))
            {
                if (IsSubsumed(entry.FirstVariant, pending))
                {
                    return false;
                }

                entry.FirstVariant = AddVariant(RemoveSupersets(entry.FirstVariant, pending), pending);
                Count++;
                return true;
            }
        }

        StoreEntry(ref table[slot], hash, stateId, low, completed, AddVariant(-1, pending));
        Count++;
        return true;
    }

    private static int Slot(ulong hash, int mask) => (int)((hash * 0xBF58476D1CE4E5B9UL) >> 32) & mask;

    /// <summary>Whether <paramref name="a"/> is a subset of <paramref name="b"/> (missing words are zero).</summary>
    private static bool IsSubset(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        if (a.Length > b.Length)
        {
            // Trailing zero words are trimmed, so a's last word is non-zero and b lacks it.
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if ((a[i] & ~b[i]) != 0)
            {
                return false;
            }
        }

        return true;
    }

    private bool IsSubsumed(int variant, ReadOnlySpan<ulong> pending)
    {
        for (; variant >= 0; variant = variantNext[variant])
        {
            if (IsSubset(PendingOf(variant), pending))
            {
                return true;
            }
        }

        return false;
    }

    private int RemoveSupersets(int first, ReadOnlySpan<ulong> pending)
    {
        while (first >= 0 && IsSubset(pending, PendingOf(first)))
        {
            first = variantNext[first];
        }

        for (int v = first; v >= 0;)
        {
            int next = variantNext[v];
            if (next >= 0 && IsSubset(pending, PendingOf(next)))
            {
                variantNext[v] = variantNext[next];
            }
            else
            {
                v = next;
            }
        }

        return first;
    }

    private ReadOnlySpan<ulong> PendingOf(int variant) => pendingPool.AsSpan(variantStart[variant], variantLength[variant]);

    private ReadOnlySpan<ulong> CompletedOf(ref readonly Entry entry)
    {
        int length = entry.Length - 1;
        return length <= InlineWords
            ? MemoryMarshal.CreateReadOnlySpan(in entry.Inline0, length)
            : completedPool.AsSpan((int)entry.Inline0, length);
    }

    private int AddVariant(int next, ReadOnlySpan<ulong> pending)
    {
        if (variants == variantNext.Length)
        {
            Array.Resize(ref variantNext, variants * 2);
            Array.Resize(ref variantStart, variants * 2);
            Array.Resize(ref variantLength, variants * 2);
        }

        if (pendingPoolUsed + pending.Length > pendingPool.Length)
        {
            Array.Resize(ref pendingPool, Math.Max(pendingPool.Length * 2, pendingPoolUsed + pending.Length));
        }

        pending.CopyTo(pendingPool.AsSpan(pendingPoolUsed));
        variantNext[variants] = next;
        variantStart[variants] = pendingPoolUsed;
        variantLength[variants] = pending.Length;
        pendingPoolUsed += pending.Length;
        return variants++;
    }

    private void StoreEntry(ref Entry entry, ulong hash, int stateId, int low, ReadOnlySpan<ulong> completed, int variant)
    {
        entry.Hash = hash;
        entry.StateId = stateId;
        entry.Low = low;
        entry.Length = completed.Length + 1;
        entry.FirstVariant = variant;
        if (completed.Length <= InlineWords)
        {
            completed.CopyTo(MemoryMarshal.CreateSpan(ref entry.Inline0, InlineWords));
        }
        else
        {
            if (completedPoolUsed + completed.Length > completedPool.Length)
            {
                Array.Resize(ref completedPool, Math.Max(completedPool.Length * 2, completedPoolUsed + completed.Length));
            }

            completed.CopyTo(completedPool.AsSpan(completedPoolUsed));
            entry.Inline0 = (ulong)completedPoolUsed;
            completedPoolUsed += completed.Length;
        }

        // Keep the table at most half full, so that probe sequences stay short.
        if (++entries * 2 > table.Length)
        {
            Grow();
        }
    }

    private void Grow()
    {
        var old = table;
        table = new Entry[old.Length * 2];
        int mask = table.Length - 1;
        foreach (ref readonly var entry in old.AsSpan())
        {
            if (entry.Length == 0)
            {
                continue;
            }

            int slot = Slot(entry.Hash, mask);
            while (table[slot].Length != 0)
            {
                slot = (slot + 1) & mask;
            }

            table[slot] = entry;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Entry
    {
        public ulong Hash;
        public int StateId;
        public int Low;

        // The completed part's word count plus one; 0 marks a free slot.
        public int Length;
        public int FirstVariant;

        // The completed part's words when it has at most two; otherwise Inline0 is its offset in the pool.
        public ulong Inline0;
        public ulong Inline1;
    }
}
