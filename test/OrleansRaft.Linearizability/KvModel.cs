namespace OrleansRaft.Linearizability;

/// <summary>
/// A register per key with put, get and compare-and-set. Keys are independent, so a history is checked one key
/// at a time.
/// </summary>
public sealed class KvModel : IModel<KvState, KvInput, KvOutput>, IJustInTimePending<KvInput, KvOutput>
{
    public static KvModel Instance { get; } = new();

    public KvState Initial => KvState.Empty;

    public IEqualityComparer<KvState> StateComparer => EqualityComparer<KvState>.Default;

    public StepResult<KvState> Step(KvState state, KvInput input, KvOutput output)
    {
        string? current = state.Get(input.Key);
        switch (input.Kind)
        {
            case KvOperationKind.Put:
                return StepResult<KvState>.Accept(state.With(input.Key, input.Value!));
            case KvOperationKind.Get:
                return string.Equals(current, output.Value, StringComparison.Ordinal)
                    ? StepResult<KvState>.Accept(state)
                    : StepResult<KvState>.Rejected;
            default:
                bool matches = string.Equals(current, input.Expected, StringComparison.Ordinal);
                if (matches != output.Swapped)
                {
                    return StepResult<KvState>.Rejected;
                }

                return StepResult<KvState>.Accept(matches ? state.With(input.Key, input.Value!) : state);
        }
    }

    public KvState StepPending(KvState state, KvInput input) => input.Kind switch
    {
        KvOperationKind.Put => state.With(input.Key, input.Value!),
        KvOperationKind.Get => state,
        _ => string.Equals(state.Get(input.Key), input.Expected, StringComparison.Ordinal)
            ? state.With(input.Key, input.Value!)
            : state,
    };

    public bool IsReadOnly(Operation<KvInput, KvOutput> operation) => operation.Input.Kind switch
    {
        KvOperationKind.Get => true,
        KvOperationKind.Put => false,

        // A compare-and-set that failed wrote nothing; one that swapped a value for itself changed nothing.
        _ => operation.IsPending
            ? string.Equals(operation.Input.Expected, operation.Input.Value, StringComparison.Ordinal)
            : !operation.Output!.Swapped
                || string.Equals(operation.Input.Expected, operation.Input.Value, StringComparison.Ordinal),
    };

    /// <summary>
    /// A pending write of v may enable: a get that read v, a compare-and-set that expects v (it swaps, or, when
    /// pending, starts to act), and a compare-and-set that failed expecting anything but v (a failure needs the
    /// expected value gone). Registers satisfy the contract of <see cref="IJustInTimePending{TInput, TOutput}"/>:
    /// a completed operation accepted both before and after pending writes either overwrites them (a put, or a
    /// swap, which must then find the same value in both states) or sees the same state and commutes with them.
    /// </summary>
    public bool MayEnable(Operation<KvInput, KvOutput> pending, Operation<KvInput, KvOutput> other)
    {
        var write = pending.Input;
        var target = other.Input;
        if (write.Kind == KvOperationKind.Get || write.Key != target.Key)
        {
            return false;
        }

        string? written = write.Value;
        return target.Kind switch
        {
            KvOperationKind.Put => false,
            KvOperationKind.Get => !other.IsPending && string.Equals(other.Output!.Value, written, StringComparison.Ordinal),
            _ => other.IsPending || other.Output!.Swapped
                ? string.Equals(target.Expected, written, StringComparison.Ordinal)
                : !string.Equals(target.Expected, written, StringComparison.Ordinal),
        };
    }

    public IReadOnlyList<HistoryPartition<KvInput, KvOutput>> Partition(IReadOnlyList<Operation<KvInput, KvOutput>> history)
    {
        var byKey = new Dictionary<string, List<Operation<KvInput, KvOutput>>>(StringComparer.Ordinal);
        foreach (var op in history)
        {
            if (!byKey.TryGetValue(op.Input.Key, out var list))
            {
                byKey[op.Input.Key] = list = [];
            }

            list.Add(op);
        }

        return byKey.Select(kv => new HistoryPartition<KvInput, KvOutput>(kv.Key, kv.Value)).ToList();
    }

    public string DescribeInput(KvInput input) => input.ToString();

    public string DescribeOutput(KvInput input, KvOutput output) => output.Describe(input.Kind);

    public string DescribeState(KvState state) => state.ToString();
}
