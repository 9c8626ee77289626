namespace OrleansRaft.KeyValue;

/// <summary>
/// The checks that depend on the request alone, not on the store: sizes, counts, nesting, enum domains, and that a
/// transaction writes no key twice. They run before anything changes.
/// </summary>
internal sealed class RequestValidator
{
    private readonly KvLimits limits;
    private readonly bool readOnly;
    private long payload;

    private RequestValidator(KvLimits limits, bool readOnly)
    {
        this.limits = limits;
        this.readOnly = readOnly;
    }

    /// <summary>Validates a whole transaction; with <paramref name="readOnly"/>, any write is <see cref="KvErrorCode.NotAQuery"/>.</summary>
    public static void ValidateTxn(TxnRequest txn, KvLimits limits, bool readOnly) =>
        new RequestValidator(limits, readOnly).TxnWrites(txn, depth: 1);

    public static void ValidateKey(ReadOnlyMemory<byte> key, KvLimits limits, string what = "key")
    {
        if (key.IsEmpty)
        {
            throw Fail.With(KvErrorCode.EmptyKey, $"the {what} is empty");
        }

        if (key.Length > limits.MaxKeyBytes)
        {
            throw Fail.With(KvErrorCode.KeyTooLarge, $"the {what} has {key.Length} bytes; the limit is {limits.MaxKeyBytes}");
        }
    }

    public static void ValidateRangeEnd(ReadOnlyMemory<byte> rangeEnd, KvLimits limits)
    {
        if (rangeEnd.Length > limits.MaxKeyBytes)
        {
            throw Fail.With(KvErrorCode.KeyTooLarge, $"the range end has {rangeEnd.Length} bytes; the limit is {limits.MaxKeyBytes}");
        }
    }

    public static void NotNegative(long value, string name)
    {
        if (value < 0)
        {
            throw Fail.With(KvErrorCode.InvalidArgument, $"{name} must not be negative, not {value}");
        }
    }

    /// <summary>The put keys and delete ranges a branch may write, to find a key written twice.</summary>
    private sealed class WriteSet
    {
        public SortedSet<ReadOnlyMemory<byte>> Puts { get; } = new(ByteMemoryComparer.Instance);

        public List<KeyRange> Deletes { get; } = [];
    }

    private void Txn(TxnRequest txn, int depth)
    {
        if (depth > limits.MaxTxnDepth)
        {
            throw Fail.With(KvErrorCode.TxnTooDeep, $"transactions nest {depth} deep; the limit is {limits.MaxTxnDepth}");
        }

        if (txn.Compares is null || txn.Success is null || txn.Failure is null)
        {
            throw Fail.With(KvErrorCode.InvalidArgument, $"a transaction's compares, success and failure lists must not be null");
        }

        Count(txn.Compares.Count, "compares");
        Count(txn.Success.Count, "success operations");
        Count(txn.Failure.Count, "failure operations");
        foreach (var compare in txn.Compares)
        {
            Compare(compare);
        }
    }

    private WriteSet TxnWrites(TxnRequest txn, int depth)
    {
        Txn(txn, depth);
        var success = Branch(txn.Success, depth);
        var failure = Branch(txn.Failure, depth);

        // Only one branch runs, so the two may write the same key; the parent must not write what either might.
        success.Puts.UnionWith(failure.Puts);
        success.Deletes.AddRange(failure.Deletes);
        return success;
    }

    private WriteSet Branch(IReadOnlyList<KvRequest> ops, int depth)
    {
        var writes = new WriteSet();
        foreach (var op in ops)
        {
            switch (op)
            {
                case RangeRequest range:
                    Range(range);
                    break;
                case PutRequest put:
                    Put(put);
                    AddPut(writes, put.Key);
                    break;
                case DeleteRangeRequest delete:
                    Delete(delete);
                    writes.Deletes.Add(KeyRange.Of(delete.Key, delete.RangeEnd));
                    break;
                case TxnRequest nested:
                    var inner = TxnWrites(nested, depth + 1);
                    foreach (var key in inner.Puts)
                    {
                        AddPut(writes, key);
                    }

                    writes.Deletes.AddRange(inner.Deletes);
                    break;
                case null:
                    throw Fail.With(KvErrorCode.InvalidArgument, $"a transaction operation is null");
                default:
                    throw Fail.With(KvErrorCode.InvalidArgument, $"a {op.Kind} request cannot be part of a transaction");
            }
        }

        foreach (var key in writes.Puts)
        {
            foreach (var delete in writes.Deletes)
            {
                if (delete.Contains(key.Span))
                {
                    throw Fail.With(KvErrorCode.DuplicateKey, $"the transaction puts {KvBytes.Show(key.Span)} and deletes it");
                }
            }
        }

        return writes;
    }

    private static void AddPut(WriteSet writes, ReadOnlyMemory<byte> key)
    {
        if (!writes.Puts.Add(key))
        {
            throw Fail.With(KvErrorCode.DuplicateKey, $"the transaction puts {KvBytes.Show(key.Span)} twice");
        }
    }

    private void Count(int count, string what)
    {
        if (count > limits.MaxTxnOperations)
        {
            throw Fail.With(KvErrorCode.TooManyOperations, $"the transaction has {count} {what}; the limit is {limits.MaxTxnOperations}");
        }
    }

    private void Compare(Compare? compare)
    {
        if (compare is null)
        {
            throw Fail.With(KvErrorCode.InvalidArgument, $"a compare is null");
        }

        Key(compare.Key, compare.RangeEnd);
        if (!Enum.IsDefined(compare.Target) || !Enum.IsDefined(compare.Operator))
        {
            throw Fail.With(KvErrorCode.InvalidArgument, $"unknown compare target {(int)compare.Target} or operator {(int)compare.Operator}");
        }

        Value(compare.Value);
    }

    private void Range(RangeRequest range)
    {
        Key(range.Key, range.RangeEnd);
        NotNegative(range.Limit, "a range's limit");
        NotNegative(range.Revision, "a range's revision");
        if (!Enum.IsDefined(range.SortOrder) || !Enum.IsDefined(range.SortTarget))
        {
            throw Fail.With(KvErrorCode.InvalidArgument, $"unknown sort order {(int)range.SortOrder} or sort target {(int)range.SortTarget}");
        }
    }

    private void Put(PutRequest put)
    {
        if (readOnly)
        {
            throw Fail.With(KvErrorCode.NotAQuery, $"a transaction with a put changes the store: propose it through the log");
        }

        Key(put.Key, ReadOnlyMemory<byte>.Empty);
        Value(put.Value);
        if (put.IgnoreValue && !put.Value.IsEmpty)
        {
            throw Fail.With(KvErrorCode.ValueProvided, $"a put that keeps the current value carries a value");
        }

        if (put.IgnoreLease && put.Lease != 0)
        {
            throw Fail.With(KvErrorCode.LeaseProvided, $"a put that keeps the current lease carries a lease");
        }
    }

    private void Delete(DeleteRangeRequest delete)
    {
        if (readOnly)
        {
            throw Fail.With(KvErrorCode.NotAQuery, $"a transaction with a delete changes the store: propose it through the log");
        }

        Key(delete.Key, delete.RangeEnd);
    }

    private void Key(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> rangeEnd)
    {
        ValidateKey(key, limits);
        ValidateRangeEnd(rangeEnd, limits);
        Add(key.Length + rangeEnd.Length);
    }

    private void Value(ReadOnlyMemory<byte> value)
    {
        if (value.Length > limits.MaxValueBytes)
        {
            throw Fail.With(KvErrorCode.ValueTooLarge, $"a value has {value.Length} bytes; the limit is {limits.MaxValueBytes}");
        }

        Add(value.Length);
    }

    private void Add(long bytes)
    {
        payload += bytes;
        if (payload > limits.MaxRequestBytes)
        {
            throw Fail.With(KvErrorCode.RequestTooLarge, $"the request carries more than {limits.MaxRequestBytes} bytes of keys and values");
        }
    }
}

/// <summary>Ordinal comparison and content equality of byte strings.</summary>
internal sealed class ByteMemoryComparer : IComparer<ReadOnlyMemory<byte>>
{
    public static readonly ByteMemoryComparer Instance = new();

    public int Compare(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => KvBytes.Compare(x.Span, y.Span);
}
