namespace OrleansRaft.KeyValue;

/// <summary>Deletes the keys of a range (see <see cref="KeyRanges"/>); a prefix delete is a recursive delete.</summary>
public sealed class DeleteRangeRequest : KvRequest
{
    public DeleteRangeRequest(ReadOnlyMemory<byte> key)
    {
        Key = key;
    }

    public ReadOnlyMemory<byte> Key { get; }

    /// <summary>See <see cref="KeyRanges"/>: empty for the key alone.</summary>
    public ReadOnlyMemory<byte> RangeEnd { get; init; }

    /// <summary>Return the deleted key-values.</summary>
    public bool PrevKv { get; init; }

    internal override KvRequestKind Kind => KvRequestKind.DeleteRange;
}
