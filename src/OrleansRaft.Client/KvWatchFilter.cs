using OrleansRaft.Abstractions;
using OrleansRaft.KeyValue;

namespace OrleansRaft.Client;

/// <summary>
/// Tells, from a commit notification alone, whether its commands may have made an event in a watch's key range. It
/// errs towards yes: a "no" only ever spares the watch a read that would have found nothing.
/// </summary>
/// <remarks>
/// Only writes name their keys. A lease revocation and a tick of the replicated clock (which expires leases) delete
/// whatever keys the leases held, and a compaction may end the watch, so those always wake it. Commands that take no
/// revision (sessions, lease grants and keepalives) never do. A command that does not decode wakes the watch.
/// </remarks>
internal sealed class KvWatchFilter(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> rangeEnd)
{
    private readonly byte[] _key = key.ToArray();
    private readonly byte[] _rangeEnd = rangeEnd.ToArray();

    /// <summary>Whether any command of <paramref name="entries"/> may have made an event in the range.</summary>
    public bool MayTouch(IEnumerable<RaftCommittedEntry> entries)
    {
        foreach (var entry in entries)
        {
            KvCommand command;
            try
            {
                command = KvCodec.DecodeCommand(entry.Data.Span);
            }
            catch (KvException)
            {
                return true;
            }

            if (MayTouch(command.Request))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A transaction may take either branch, whatever its compares say against a state this side does not know, so
    /// both are checked.
    /// </summary>
    public bool MayTouch(KvRequest request) => request switch
    {
        PutRequest put => Contains(put.Key.Span),
        DeleteRangeRequest delete => Overlaps(delete.Key.Span, delete.RangeEnd.Span),
        TxnRequest txn => txn.Success.Any(MayTouch) || txn.Failure.Any(MayTouch),
        AsUserRequest asUser => MayTouch(asUser.Request),
        RangeRequest or OpenSessionRequest or CloseSessionRequest or LeaseGrantRequest or LeaseKeepAliveRequest => false,
        _ => true,
    };

    /// <summary>Whether the watched range holds <paramref name="candidate"/> (see <see cref="KeyRanges"/>).</summary>
    private bool Contains(ReadOnlySpan<byte> candidate) => Contains(_key, _rangeEnd, candidate);

    /// <summary>Whether the watched range and the range [<paramref name="start"/>, <paramref name="end"/>) share a key.</summary>
    private bool Overlaps(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
    {
        if (end.IsEmpty)
        {
            return Contains(start);
        }

        if (_rangeEnd.Length == 0)
        {
            return Contains(start, end, _key);
        }

        // Two ranges [a, b) and [c, d) meet when a < d and c < b, an open end ([0]) being +infinity; an empty one holds no key.
        var ourEndOpen = IsOpen(_rangeEnd);
        var theirEndOpen = IsOpen(end);
        if ((!ourEndOpen && KvBytes.Compare(_rangeEnd, _key) <= 0) || (!theirEndOpen && KvBytes.Compare(end, start) <= 0))
        {
            return false;
        }

        return (theirEndOpen || KvBytes.Compare(_key, end) < 0) && (ourEndOpen || KvBytes.Compare(start, _rangeEnd) < 0);
    }

    private static bool Contains(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, ReadOnlySpan<byte> candidate)
    {
        if (end.IsEmpty)
        {
            return candidate.SequenceEqual(start);
        }

        return KvBytes.Compare(candidate, start) >= 0 && (IsOpen(end) || KvBytes.Compare(candidate, end) < 0);
    }

    private static bool IsOpen(ReadOnlySpan<byte> end) => end.Length == 1 && end[0] == 0;
}
