namespace OrleansRaft.KeyValue;

/// <summary>
/// If every compare holds, runs <see cref="Success"/>, otherwise <see cref="Failure"/>, atomically and as one
/// revision. Operations are <see cref="RangeRequest"/>, <see cref="PutRequest"/>, <see cref="DeleteRangeRequest"/> and
/// nested <see cref="TxnRequest"/>. All compares, nested ones included, see the state before the transaction;
/// a range sees the writes of the operations before it. No key may be written twice: two puts of one key, or a put
/// of a key that a delete in the same transaction covers, is <see cref="KvErrorCode.DuplicateKey"/>.
/// </summary>
public sealed class TxnRequest : KvRequest
{
    public IReadOnlyList<Compare> Compares { get; init; } = [];

    public IReadOnlyList<KvRequest> Success { get; init; } = [];

    public IReadOnlyList<KvRequest> Failure { get; init; } = [];

    internal override KvRequestKind Kind => KvRequestKind.Txn;
}
