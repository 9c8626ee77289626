namespace OrleansRaft.KeyValue;

public sealed class PutResult(long revision, KeyValueEntry? prevKv) : KvResult(revision)
{
    /// <summary>The key-value before the put, when asked for and the key existed.</summary>
    public KeyValueEntry? PrevKv { get; } = prevKv;

    internal override KvResultKind Kind => KvResultKind.Put;
}

public sealed class DeleteRangeResult(long revision, long deleted, IReadOnlyList<KeyValueEntry> prevKvs) : KvResult(revision)
{
    public long Deleted { get; } = deleted;

    /// <summary>The deleted key-values in key order, when asked for.</summary>
    public IReadOnlyList<KeyValueEntry> PrevKvs { get; } = prevKvs;

    internal override KvResultKind Kind => KvResultKind.DeleteRange;
}

public sealed class TxnResult(long revision, bool succeeded, IReadOnlyList<KvResult> responses) : KvResult(revision)
{
    /// <summary>Every compare held, and the success branch ran.</summary>
    public bool Succeeded { get; } = succeeded;

    /// <summary>One result per operation of the branch that ran, in order.</summary>
    public IReadOnlyList<KvResult> Responses { get; } = responses;

    internal override KvResultKind Kind => KvResultKind.Txn;
}

public sealed class CompactResult(long revision, long compactRevision) : KvResult(revision)
{
    public long CompactRevision { get; } = compactRevision;

    internal override KvResultKind Kind => KvResultKind.Compact;
}
