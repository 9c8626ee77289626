namespace OrleansRaft.Linearizability;

/// <summary>
/// The set of operations linearized so far, as a bitset. Completed operations are numbered in call order;
/// pending ones come after them, in words of their own. A Zobrist hash of the completed part is maintained
/// incrementally.
/// </summary>
/// <remarks>
/// The compact key exploits the shape of reachable sets: a completed operation can be linearized only while its
/// call precedes every outstanding return, so the completed part is all ones up to a window about as wide as
/// the concurrency, then zeros. The key stores only that window, which keeps cache entries small even for long
/// histories.
/// </remarks>
internal sealed class LinearizedSet
{
    private readonly ulong[] words;

    // Over the pending part: the operations whose membership the key records. Those left out can no longer
    // matter to the search, so configurations that differ only in them are the same configuration.
    private readonly ulong[] keyed;
    private readonly ulong[] zobrist;
    private readonly int completedCount;
    private readonly int completedWords;

    public LinearizedSet(int completedCount, int pendingCount)
    {
        this.completedCount = completedCount;
        completedWords = (completedCount + 63) >> 6;
        words = new ulong[completedWords + ((pendingCount + 63) >> 6)];
        keyed = new ulong[words.Length - completedWords];
        Array.Fill(keyed, ulong.MaxValue);
        zobrist = new ulong[completedCount];

        // A fixed seed keeps the search, and so every explanation, identical from run to run.
        ulong seed = 0x5EED_1E55_0F2B_3C4DUL;
        for (int i = 0; i < zobrist.Length; i++)
        {
            seed += 0x9E3779B97F4A7C15UL;
            ulong z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            zobrist[i] = z ^ (z >> 31);
        }
    }

    /// <summary>The hash of the completed operations in the set.</summary>
    public ulong CompletedHash { get; private set; }

    /// <summary>An upper bound on the length of a key written by <see cref="WriteKey"/>.</summary>
    public int MaxKeyLength => words.Length;

    public void Add(int op)
    {
        if (op < completedCount)
        {
            words[op >> 6] |= 1UL << op;
            CompletedHash ^= zobrist[op];
        }
        else
        {
            int bit = (completedWords << 6) + (op - completedCount);
            words[bit >> 6] |= 1UL << bit;
        }
    }

    public void Remove(int op)
    {
        if (op < completedCount)
        {
            words[op >> 6] &= ~(1UL << op);
            CompletedHash ^= zobrist[op];
        }
        else
        {
            int bit = (completedWords << 6) + (op - completedCount);
            words[bit >> 6] &= ~(1UL << bit);
        }
    }

    /// <summary>Whether the key records the membership of pending operation <paramref name="op"/>.</summary>
    public void SetKeyed(int op, bool isKeyed)
    {
        int bit = op - completedCount;
        if (isKeyed)
        {
            keyed[bit >> 6] |= 1UL << bit;
        }
        else
        {
            keyed[bit >> 6] &= ~(1UL << bit);
        }
    }

    /// <summary>
    /// Writes the canonical compact form of the set: the completed words from the first one that is not all ones
    /// (<paramref name="low"/>) to the last non-zero one, then the keyed pending words without trailing zeros.
    /// Returns the number of words written.
    /// </summary>
    public int WriteKey(Span<ulong> destination, out int low, out int completedLength)
    {
        var completed = words.AsSpan(0, completedWords);
        low = completed.IndexOfAnyExcept(ulong.MaxValue);
        if (low < 0)
        {
            low = completedWords;
        }

        int high = completed.LastIndexOfAnyExcept(0UL);
        completedLength = Math.Max(0, high - low + 1);
        completed.Slice(low, completedLength).CopyTo(destination);

        var pending = destination.Slice(completedLength, keyed.Length);
        for (int i = 0; i < keyed.Length; i++)
        {
            pending[i] = words[completedWords + i] & keyed[i];
        }

        return completedLength + pending.LastIndexOfAnyExcept(0UL) + 1;
    }
}
