namespace OrleansRaft.KeyValue;

internal static class TxnRequests
{
    /// <summary>A single put, delete or range runs as a transaction of one operation, under the same checks.</summary>
    public static TxnRequest Wrap(KvRequest op) => new() { Success = [op] };
}

/// <summary>
/// Transactions run in three steps, so that a refusal never leaves a half-applied write behind:
/// (1) the request alone is checked (<see cref="RequestValidator"/>); (2) the plan evaluates every compare, nested
/// ones included, against the state before the transaction, and checks each operation of the chosen branches
/// against that state (leases exist, read revisions are available, keys kept by IgnoreValue exist); (3) the
/// operations run, and cannot fail. Step 3 sees the same state step 2 checked, because no key is written twice
/// and leases do not change inside a transaction.
/// </summary>
public sealed partial class KvStateMachine
{
    private sealed class TxnPlan(bool succeeded, TxnPlan?[] nested, bool writes)
    {
        public bool Succeeded { get; } = succeeded;

        /// <summary>The plans of the nested transactions of the chosen branch, by operation position.</summary>
        public TxnPlan?[] Nested { get; } = nested;

        /// <summary>The chosen path changes at least one key, so the transaction takes a new revision.</summary>
        public bool Writes { get; } = writes;
    }

    /// <summary>The revision and write order of the writes of one command.</summary>
    private sealed class WriteBatch(long revision)
    {
        public long Revision { get; } = revision;

        public int Writes { get; set; }
    }

    private TxnResult RunTxn(TxnRequest txn, bool readOnly)
    {
        RequestValidator.ValidateTxn(txn, limits, readOnly);
        var plan = Plan(txn);
        var batch = new WriteBatch(state.Revision + 1);
        var header = plan.Writes ? batch.Revision : state.Revision;
        var result = Run(txn, plan, batch, header);
        if (plan.Writes != batch.Writes > 0)
        {
            throw new InvalidOperationException("A transaction's plan and its writes disagree.");
        }

        if (plan.Writes)
        {
            state.Revision = batch.Revision;
        }

        return result;
    }

    private TxnPlan Plan(TxnRequest txn)
    {
        var succeeded = txn.Compares.All(Holds);
        var ops = succeeded ? txn.Success : txn.Failure;
        var nested = new TxnPlan?[ops.Count];
        var writes = false;
        for (var i = 0; i < ops.Count; i++)
        {
            switch (ops[i])
            {
                case RangeRequest range:
                    CheckReadRevision(range.Revision);
                    break;
                case PutRequest put:
                    CheckPut(put);
                    writes = true;
                    break;
                case DeleteRangeRequest delete:
                    writes |= state.Keys.Scan(KeyRange.Of(delete.Key, delete.RangeEnd)).Any(h => h.Latest is not null);
                    break;
                case TxnRequest inner:
                    nested[i] = Plan(inner);
                    writes |= nested[i]!.Writes;
                    break;
            }
        }

        return new TxnPlan(succeeded, nested, writes);
    }

    private TxnResult Run(TxnRequest txn, TxnPlan plan, WriteBatch batch, long header)
    {
        var ops = plan.Succeeded ? txn.Success : txn.Failure;
        var results = new KvResult[ops.Count];
        for (var i = 0; i < ops.Count; i++)
        {
            results[i] = ops[i] switch
            {
                RangeRequest range => ReadRange(range, header),
                PutRequest put => Put(put, batch),
                DeleteRangeRequest delete => DeleteRange(delete, batch, header),
                TxnRequest inner => Run(inner, plan.Nested[i]!, batch, header),
                _ => throw new InvalidOperationException("The validator admits no other operation."),
            };
        }

        return new TxnResult(header, plan.Succeeded, results);
    }

    private void CheckPut(PutRequest put)
    {
        if (put.Lease != 0 && state.Leases.Get(put.Lease) is null)
        {
            throw Fail.With(KvErrorCode.LeaseNotFound, $"lease {put.Lease} does not exist");
        }

        if ((put.IgnoreValue || put.IgnoreLease) && state.Keys.Get(put.Key.Span)?.Latest is null)
        {
            throw Fail.With(KvErrorCode.KeyNotFound, $"{KvBytes.Show(put.Key.Span)} does not exist, so it has no value or lease to keep");
        }
    }

    /// <summary>Refuses a read revision that is compacted or not yet written; 0 means the current revision.</summary>
    private void CheckReadRevision(long revision)
    {
        if (revision > state.Revision)
        {
            throw Fail.With(KvErrorCode.FutureRevision, $"revision {revision} is in the future; the current revision is {state.Revision}");
        }

        if (revision != 0 && revision < state.CompactRevision)
        {
            throw Fail.With(KvErrorCode.Compacted, $"revision {revision} is compacted; the compact revision is {state.CompactRevision}");
        }
    }

    private bool Holds(Compare compare)
    {
        var any = false;
        foreach (var history in state.Keys.Scan(KeyRange.Of(compare.Key, compare.RangeEnd)))
        {
            if (history.Latest is not { } kv)
            {
                continue;
            }

            any = true;
            if (!Holds(compare, kv))
            {
                return false;
            }
        }

        return any || (compare.Target != CompareTarget.Value && Holds(compare, null));
    }

    private static bool Holds(Compare compare, KeyValueEntry? kv)
    {
        var order = compare.Target switch
        {
            CompareTarget.Value => KvBytes.Compare(kv!.Value.Span, compare.Value.Span),
            CompareTarget.Version => (kv?.Version ?? 0).CompareTo(compare.Number),
            CompareTarget.Create => (kv?.CreateRevision ?? 0).CompareTo(compare.Number),
            CompareTarget.Mod => (kv?.ModRevision ?? 0).CompareTo(compare.Number),
            _ => (kv?.Lease ?? 0).CompareTo(compare.Number),
        };

        return compare.Operator switch
        {
            CompareOperator.Equal => order == 0,
            CompareOperator.Greater => order > 0,
            CompareOperator.Less => order < 0,
            _ => order != 0,
        };
    }
}
