using System.Globalization;
using System.Text;

namespace OrleansRaft.Linearizability;

/// <summary>Writes operations and verdicts as text, numbering operations by their position in the whole history.</summary>
internal sealed class OperationDescriber<TState, TInput, TOutput>(
    IModel<TState, TInput, TOutput> model, IReadOnlyDictionary<Operation<TInput, TOutput>, int> positions)
    where TState : notnull
{
    private const int ConcurrentShown = 10;

    public string Describe(Operation<TInput, TOutput> op)
    {
        string interval = op.IsPending
            ? string.Create(CultureInfo.InvariantCulture, $"[{op.Call}..]")
            : string.Create(CultureInfo.InvariantCulture, $"[{op.Call}..{op.Return}]");
        string output = op.IsPending ? "(no response)" : model.DescribeOutput(op.Input, op.Output!);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"#{positions[op]} client {op.ClientId} {interval} {model.DescribeInput(op.Input)} -> {output}");
    }

    public string Explain(
        HistoryPartition<TInput, TOutput> partition, SearchOutcome<TState, TInput, TOutput> found, CheckOptions options)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        string header = string.Create(inv, $"partition \"{partition.Name}\" ({partition.Operations.Count} operations, {found.Steps} steps)");
        if (found.Outcome == CheckOutcome.Ok)
        {
            return header + ": linearizable";
        }

        text.Append(header).Append(found.Outcome == CheckOutcome.Violation
            ? ": not linearizable."
            : string.Create(inv, $": unknown, the search stopped at its budget of {options.MaxStepsPerPartition} steps."));
        text.AppendLine();

        var prefix = found.LongestPrefix;
        text.Append(inv, $"  Longest linearizable prefix found: {prefix.Count} operations");
        int shown = Math.Min(prefix.Count, options.PrefixOperationsShown);
        text.AppendLine(shown == prefix.Count ? (shown == 0 ? "." : ":") : string.Create(inv, $", the last {shown}:"));
        for (int i = prefix.Count - shown; i < prefix.Count; i++)
        {
            text.Append("    ").AppendLine(Describe(prefix[i]));
        }

        text.Append("  State after it: ").AppendLine(model.DescribeState(found.StateAfterPrefix));
        if (found.Unplaced is { } unplaced)
        {
            text.Append(found.Outcome == CheckOutcome.Violation ? "  Cannot place: " : "  Next to place: ")
                .AppendLine(Describe(unplaced));
            if (found.Outcome == CheckOutcome.Violation)
            {
                text.AppendLine("  It must take effect before it returns, and no order of the operations that may go before it makes the model accept it.");
            }

            var inPrefix = new HashSet<Operation<TInput, TOutput>>(prefix, ReferenceEqualityComparer.Instance);
            var concurrent = partition.Operations
                .Where(o => !ReferenceEquals(o, unplaced) && !inPrefix.Contains(o)
                    && o.Call <= unplaced.Return && unplaced.Call <= o.Return)
                .ToList();
            if (concurrent.Count > 0)
            {
                text.Append(inv, $"  Concurrent with it and not in the prefix ({concurrent.Count}");
                text.AppendLine(concurrent.Count > ConcurrentShown ? string.Create(inv, $", the first {ConcurrentShown}):") : "):");
                foreach (var o in concurrent.Take(ConcurrentShown))
                {
                    text.Append("    ").AppendLine(Describe(o));
                }
            }
        }

        return text.ToString().TrimEnd();
    }
}
