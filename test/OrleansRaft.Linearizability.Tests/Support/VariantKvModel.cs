namespace OrleansRaft.Linearizability.Tests.Support;

/// <summary>
/// <see cref="KvModel"/> with its optimizations switchable, to show that they do not change verdicts:
/// without <paramref name="partitionByKey"/> the whole history is one search; without
/// <paramref name="declareReadOnly"/> no operation is linearized greedily or dropped.
/// </summary>
internal sealed class VariantKvModel(bool partitionByKey, bool declareReadOnly) : IModel<KvState, KvInput, KvOutput>
{
    private readonly KvModel inner = KvModel.Instance;

    public KvState Initial => inner.Initial;

    public IEqualityComparer<KvState> StateComparer => inner.StateComparer;

    public StepResult<KvState> Step(KvState state, KvInput input, KvOutput output) => inner.Step(state, input, output);

    public KvState StepPending(KvState state, KvInput input) => inner.StepPending(state, input);

    public bool IsReadOnly(Operation<KvInput, KvOutput> operation) => declareReadOnly && inner.IsReadOnly(operation);

    public IReadOnlyList<HistoryPartition<KvInput, KvOutput>> Partition(IReadOnlyList<Operation<KvInput, KvOutput>> history) =>
        partitionByKey ? inner.Partition(history) : [new HistoryPartition<KvInput, KvOutput>("all", history)];

    public string DescribeInput(KvInput input) => inner.DescribeInput(input);

    public string DescribeOutput(KvInput input, KvOutput output) => inner.DescribeOutput(input, output);

    public string DescribeState(KvState state) => inner.DescribeState(state);
}
