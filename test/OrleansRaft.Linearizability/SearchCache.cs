using System.Runtime.InteropServices;

namespace OrleansRaft.Linearizability;

/// <summary>
/// Lowe's memoization: the configurations (linearized set, model state) the search has entered. The rest of the
/// search depends on nothing else, so a configuration entered before is either on the current path or known to
/// fail, and need not be explored again.
/// </summary>
/// <remarks>
/// An open-addressing table of plain structs (no references, so the collector never scans it). A key of up to
/// two words is stored inline; longer keys go to a shared pool. Comparison is exact: the Zobrist hash only
/// picks the slot and rejects most mismatches early.
/// </remarks>
internal sealed class SearchCache
{
    private const int InlineWords = 2;

    private readonly LinearizedSet set;
    private readonly ulong[] scratch;
    private Entry[] table = new Entry[1024];
    private ulong[] pool = new ulong[1024];
    private int poolUsed;

    public SearchCache(LinearizedSet set)
    {
        this.set = set;
        scratch = new ulong[set.MaxKeyLength];
    }

    public int Count { get; private set; }

    /// <summary>Adds the current set with the state <paramref name="stateId"/>; false when that configuration is known.</summary>
    public bool TryAdd(int stateId)
    {
        int length = set.WriteKey(scratch, out int low, out int completedLength);
        var words = scratch.AsSpan(0, length);
        ulong hash = set.Hash ^ ((ulong)(uint)stateId * 0x9E3779B97F4A7C15UL);
        int mask = table.Length - 1;
        for (int slot = Slot(hash, mask); ; slot = (slot + 1) & mask)
        {
            ref var entry = ref table[slot];
            if (entry.Length == 0)
            {
                Store(ref entry, hash, stateId, low, completedLength, words);
                return true;
            }

            if (entry.Hash == hash
                && entry.StateId == stateId
                && entry.Low == low
                && entry.CompletedLength == completedLength
                && entry.Length - 1 == length
                && WordsOf(in entry).SequenceEqual(words))
            {
                return false;
            }
        }
    }

    private static int Slot(ulong hash, int mask) => (int)((hash * 0xBF58476D1CE4E5B9UL) >> 32) & mask;

    private ReadOnlySpan<ulong> WordsOf(ref readonly Entry entry)
    {
        int length = entry.Length - 1;
        return length <= InlineWords
            ? MemoryMarshal.CreateReadOnlySpan(in entry.Inline0, length)
            : pool.AsSpan((int)entry.Inline0, length);
    }

    private void Store(ref Entry entry, ulong hash, int stateId, int low, int completedLength, ReadOnlySpan<ulong> words)
    {
        entry.Hash = hash;
        entry.StateId = stateId;
        entry.Low = low;
        entry.CompletedLength = completedLength;
        entry.Length = words.Length + 1;
        if (words.Length <= InlineWords)
        {
            words.CopyTo(MemoryMarshal.CreateSpan(ref entry.Inline0, InlineWords));
        }
        else
        {
            if (poolUsed + words.Length > pool.Length)
            {
                Array.Resize(ref pool, Math.Max(pool.Length * 2, poolUsed + words.Length));
            }

            words.CopyTo(pool.AsSpan(poolUsed));
            entry.Inline0 = (ulong)poolUsed;
            poolUsed += words.Length;
        }

        // Keep the table at most half full, so that probe sequences stay short.
        if (++Count * 2 > table.Length)
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
        public int CompletedLength;

        // The key's word count plus one; 0 marks a free slot.
        public int Length;

        // The key's words when it has at most two; otherwise Inline0 is the key's offset in the pool.
        public ulong Inline0;
        public ulong Inline1;
    }
}
