using OrleansRaft.Linearizability;

namespace OrleansRaft.Simulation;

public sealed partial class Simulation
{
    /// <summary>When each command (named by its unique value) was first applied anywhere, and its result.</summary>
    private readonly Dictionary<string, (long Time, string Result)> _firstApplied = new(StringComparer.Ordinal);

    private void OnApplied(string command, string result, long now) => _firstApplied.TryAdd(command, (now, result));

    /// <summary>
    /// The clients' history must be linearizable against a register per key.
    /// </summary>
    /// <remarks>
    /// A client that timed out never learned its operation's outcome. Left pending, such operations make the
    /// search exponential, so the log settles them: a write that no member ever applied never took effect and
    /// is dropped; one that was applied took effect by the time it was first applied, with the result it had.
    /// A read that never returned constrains nothing and is dropped.
    /// </remarks>
    private void CheckLinearizability()
    {
        var history = _history.Select(Settle).OfType<ClientOperation>().Select(ToCheckerOperation).ToList();
        var result = KvChecker.Check(history);
        switch (result.Outcome)
        {
            case CheckOutcome.Violation:
                throw new PropertyViolation("Linearizability", result.Explanation);
            case CheckOutcome.Unknown:
                throw new PropertyViolation("Linearizability", $"the check ran out of budget: {result.Explanation}");
        }
    }

    private ClientOperation? Settle(ClientOperation operation)
    {
        if (operation.ReturnTime is not null)
        {
            return operation;
        }

        if (operation.Kind == OperationKind.Get)
        {
            return null;
        }

        var command = System.Text.Encoding.UTF8.GetString(operation.Encode());
        if (!_firstApplied.TryGetValue(command, out var applied))
        {
            return null;
        }

        return new ClientOperation
        {
            ClientId = operation.ClientId,
            Kind = operation.Kind,
            Key = operation.Key,
            Value = operation.Value,
            Expected = operation.Expected,
            CallTime = operation.CallTime,
            ReturnTime = applied.Time,
            Output = applied.Result,
        };
    }

    private static Operation<KvInput, KvOutput> ToCheckerOperation(ClientOperation operation)
    {
        var input = operation.Kind switch
        {
            OperationKind.Put => KvInput.Put(operation.Key, operation.Value!),
            OperationKind.Get => KvInput.Get(operation.Key),
            _ => KvInput.CompareAndSet(operation.Key, operation.Expected, operation.Value!),
        };
        if (operation.ReturnTime is not { } returned)
        {
            return Operation.Pending<KvInput, KvOutput>(operation.ClientId, operation.CallTime, input);
        }

        var output = operation.Kind switch
        {
            OperationKind.Put => KvOutput.Written,
            OperationKind.Get => KvOutput.Read(operation.Output),
            _ => KvOutput.CompareAndSet(operation.Output == "true"),
        };
        return Operation.Completed(operation.ClientId, operation.CallTime, returned, input, output);
    }
}
