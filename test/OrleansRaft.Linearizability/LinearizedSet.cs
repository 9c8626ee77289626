namespace OrleansRaft.Linearizability;

/// <summary>
/// The set of operations linearized so far, as a bitset with an incrementally maintained Zobrist hash.
/// Completed operations are numbered in call order and pending ones after them, in their own words.
/// </summary>
/// <remarks>
/// The compact key exploits the shape of reachable sets: a completed operation can be linearized only while
/// its call precedes every outstanding return, so the completed part is all ones up to a window about as wide
/// as the concurrency, then zeros. The key stores only that window and the pending words, which keeps cache
/// entries small even for long histories.
/// </remarks>
internal sealed class LinearizedSet
{
    private readonly ulong[] words;
    private readonly ulong[] zobrist;
    private readonly int completedCount;
    private readonly int completedWords;

    public LinearizedSet(int completedCount, int pendingCount)
    {
        this.completedCount = completedCount;
        completedWords = (completedCount + 63) >> 6;
        words = new ulong[completedWords + ((pendingCount + 63) >> 6)];
        zobrist = new ulong[completedCount + pendingCount];

        // A fixed seed keeps the search, and so every explanation, identical from run to run.
        ulong seed = 0x5EED_1E55_0F_2B_3C_4DUL;
        for (int i = 0; i < zobrist.Length; i++)
        {
            seed += 0x9E3779B97F4A7C15UL;
            ulong z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            zobrist[i] = z ^ (z >> 31);
        }
    }

    public ulong Hash { get; private set; }

    /// <summary>An upper bound on the length of a key written by <see cref="WriteKey"/>.</summary>
    public int MaxKeyLength => words.Length;

    public void Add(int op)
    {
        int bit = BitOf(op);
        words[bit >> 6] |= 1UL << bit;
        Hash ^= zobrist[op];
    }

    public void Remove(int op)
    {
        int bit = BitOf(op);
        words[bit >> 6] &= ~(1UL << bit);
        Hash ^= zobrist[op];
    }

    /// <summary>
    /// Writes the canonical compact form of the set: the completed words from the first one that is not all ones
    /// (<paramref name="low"/>) to the last non-zero one, then the pending words without trailing zeros.
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

        var pending = words.AsSpan(completedWords);
        int pendingLength = pending.LastIndexOfAnyExcept(0UL) + 1;
        pending[..pendingLength].CopyTo(destination[completedLength..]);
        return completedLength + pendingLength;
    }

    private int BitOf(int op) => op < completedCount ? op : (completedWords << 6) + (op - completedCount);
}
