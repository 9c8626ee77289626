using System.Diagnostics;
using OrleansRaft.Linearizability.Tests.Support;
using Xunit.Abstractions;

namespace OrleansRaft.Linearizability.Tests;

/// <summary>
/// Histories of the size the simulator produces. Times are printed, not asserted: what is asserted is that
/// the search decides within the default step budget.
/// </summary>
public sealed class PerformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void FiveThousandOperationsOnFiveKeysAreDecidedWithinTheBudget()
    {
        var history = RandomHistory.Generate(42, new HistorySettings(5000, 5, 5, LostRequestRate: 0.01, LostResponseRate: 0.01));

        var result = Timed("5,000 operations, 5 keys, 5 clients, seed 42", history);

        Assert.Equal(CheckOutcome.Ok, result.Outcome);
        Assert.All(result.Partitions, p => Assert.True(p.Steps < CheckOptions.Default.MaxStepsPerPartition));

        int at = RandomHistory.Corrupt(history, 42);
        var corrupted = Timed($"the same with #{at} corrupted", history);
        Assert.Equal(CheckOutcome.Violation, corrupted.Outcome);
    }

    [Fact]
    public void FiveThousandOperationsOfTenClientsOnOneKeyAreDecidedWithinTheBudget()
    {
        var history = RandomHistory.Generate(43, new HistorySettings(5000, 10, 1, LostRequestRate: 0.01, LostResponseRate: 0.01));

        var result = Timed("5,000 operations, 1 key, 10 clients, seed 43", history);

        Assert.Equal(CheckOutcome.Ok, result.Outcome);
    }

    private CheckResult<KvInput, KvOutput> Timed(string what, IReadOnlyList<Operation<KvInput, KvOutput>> history)
    {
        var watch = Stopwatch.StartNew();
        var result = KvChecker.Check(history);
        watch.Stop();
        output.WriteLine(
            $"{what}: {result.Outcome}, {history.Count(o => o.IsPending)} pending, " +
            $"steps per partition {string.Join("/", result.Partitions.Select(p => p.Steps))}, {watch.ElapsedMilliseconds} ms");
        return result;
    }
}
