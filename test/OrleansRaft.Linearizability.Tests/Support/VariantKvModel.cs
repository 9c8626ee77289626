namespace OrleansRaft.Linearizability.Tests.Support;

/// <summary>
/// <see cref="KvModel"/> with its optimizations switchable, to show that they do not change verdicts:
/// without <paramref name="partitionByKey"/> the whole history is one search; without
/// <paramref name="declareReadOnly"/> no operation is linearized greedily or dropped. This class does not
/// implement <see cref="IJustInTimePending{TInput, TOutput}"/>, so pending operations are tried everywhere;
/// <see cref="JustInTimeVariantKvModel"/> does.
/// </summary>
internal class VariantKvModel(bool partitionByKey, bool declareReadOnly) : IModel<KvState, KvInput, KvOutput>
{
    protected KvModel Inner { get; } = KvModel.Instance;

    public KvState Initial => Inner.Initial;

    public IEqualityComparer<KvState> StateComparer => Inner.StateComparer;

    public StepResult<KvState> Step(KvState state, KvInput input, KvOutput output) => Inner.Step(state, input, output);

    public KvState StepPending(KvState state, KvInput input) => Inner.StepPending(state, input);

    public bool IsReadOnly(Operation<KvInput, KvOutput> operation) => declareReadOnly && Inner.IsReadOnly(operation);

    public IReadOnlyList<HistoryPartition<KvInput, KvOutput>> Partition(IReadOnlyList<Operation<KvInput, KvOutput>> history) =>
        partitionByKey ? Inner.Partition(history) : [new HistoryPartition<KvInput, KvOutput>("all", history)];

    public string DescribeInput(KvInput input) => Inner.DescribeInput(input);

    public string DescribeOutput(KvInput input, KvOutput output) => Inner.DescribeOutput(input, output);

    public string DescribeState(KvState state) => Inner.DescribeState(state);
}

/// <summary><see cref="VariantKvModel"/> that places pending operations just in time, like <see cref="KvModel"/>.</summary>
internal sealed class JustInTimeVariantKvModel(bool partitionByKey, bool declareReadOnly)
    : VariantKvModel(partitionByKey, declareReadOnly), IJustInTimePending<KvInput, KvOutput>
{
    public bool MayEnable(Operation<KvInput, KvOutput> pending, Operation<KvInput, KvOutput> other) =>
        Inner.MayEnable(pending, other);
}
