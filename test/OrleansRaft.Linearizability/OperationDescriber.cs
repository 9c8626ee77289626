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
                text.AppendLine("  It must take effect before it returns, and no order of the operations that may go before it lets the model accept it.");
            }

            var inPrefix = new HashSet<Operation<TInput, TOutput>>(prefix, ReferenceEqualityComparer.Instance);
            var outside = partition.Operations
                .Where(o => !ReferenceEquals(o, unplaced) && !inPrefix.Contains(o) && o.Call <= unplaced.Return)
                .ToList();
            var concurrent = outside.Where(o => !o.IsPending && unplaced.Call <= o.Return).ToList();
            if (concurrent.Count > 0)
            {
                text.Append(inv, $"  Completed operations concurrent with it and not in the prefix ({concurrent.Count}");
                text.AppendLine(concurrent.Count > ConcurrentShown ? string.Create(inv, $", the first {ConcurrentShown}):") : "):");
                foreach (var o in concurrent.Take(ConcurrentShown))
                {
                    text.Append("    ").AppendLine(Describe(o));
                }
            }

            // Pending reads are left out: they cannot explain anything.
            int pending = outside.Count(o => o.IsPending && !model.IsReadOnly(o));
            if (pending > 0)
            {
                text.AppendLine(string.Create(inv, $"  Pending operations called before it returned, not in the prefix: {pending}."));
            }
        }

        return text.ToString().TrimEnd();
    }
}
