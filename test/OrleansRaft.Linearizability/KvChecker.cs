namespace OrleansRaft.Linearizability;

/// <summary>Shorthands for checking key-value register histories.</summary>
public static class KvChecker
{
    public static CheckResult<KvInput, KvOutput> Check(
        IReadOnlyList<Operation<KvInput, KvOutput>> history, CheckOptions? options = null) =>
        LinearizabilityChecker.Check(KvModel.Instance, history, options);
}
