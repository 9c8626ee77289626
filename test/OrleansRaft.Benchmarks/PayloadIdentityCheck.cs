using System.Runtime.InteropServices;
using OrleansRaft.Core;

namespace OrleansRaft.Benchmarks;

/// <summary>
/// Proves that no member copies a payload: every entry a member persists or applies must point at the very
/// array the leader was handed in <see cref="RaftNode.Propose"/>, at the same offset and length.
/// </summary>
internal sealed class PayloadIdentityCheck
{
    private readonly Dictionary<ulong, ReadOnlyMemory<byte>> _proposed = [];
    private readonly SortedDictionary<ulong, Counts> _counts = [];

    private sealed class Counts
    {
        public int PersistedShared;
        public int PersistedCopied;
        public int AppliedShared;
        public int AppliedCopied;
    }

    public int Proposed => _proposed.Count;

    public void OnProposed(ulong index, ReadOnlyMemory<byte> payload) => _proposed.Add(index, payload);

    public void Persisted(ulong member, Entry entry)
    {
        if (_proposed.TryGetValue(entry.Index, out var original))
        {
            if (SameMemory(original, entry.Data))
            {
                For(member).PersistedShared++;
            }
            else
            {
                For(member).PersistedCopied++;
            }
        }
    }

    public void Applied(ulong member, Entry entry)
    {
        if (_proposed.TryGetValue(entry.Index, out var original))
        {
            if (SameMemory(original, entry.Data))
            {
                For(member).AppliedShared++;
            }
            else
            {
                For(member).AppliedCopied++;
            }
        }
    }

    /// <summary>True when every member persisted and applied every proposal, each time sharing the proposer's memory.</summary>
    public bool Passed(int members) =>
        _counts.Count == members &&
        _counts.Values.All(c => c.PersistedShared == _proposed.Count && c.AppliedShared == _proposed.Count &&
                                c.PersistedCopied == 0 && c.AppliedCopied == 0);

    public void Print(ulong leader)
    {
        foreach (var (member, counts) in _counts)
        {
            Console.WriteLine(
                $"  member {member}{(member == leader ? " (leader)" : ""),-9}: persisted {counts.PersistedShared}/{_proposed.Count} shared, " +
                $"{counts.PersistedCopied} copied; applied {counts.AppliedShared}/{_proposed.Count} shared, {counts.AppliedCopied} copied");
        }
    }

    private Counts For(ulong member)
    {
        if (!_counts.TryGetValue(member, out var counts))
        {
            counts = new Counts();
            _counts.Add(member, counts);
        }

        return counts;
    }

    /// <summary>Same array, same offset, same length: the bytes were never copied.</summary>
    private static bool SameMemory(ReadOnlyMemory<byte> original, ReadOnlyMemory<byte> seen) =>
        MemoryMarshal.TryGetArray(original, out var a) &&
        MemoryMarshal.TryGetArray(seen, out var b) &&
        ReferenceEquals(a.Array, b.Array) &&
        a.Offset == b.Offset &&
        a.Count == b.Count;
}
