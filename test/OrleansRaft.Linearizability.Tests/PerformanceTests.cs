using System.Diagnostics;
using OrleansRaft.Linearizability.Tests.Support;
using Xunit.Abstractions;

namespace OrleansRaft.Linearizability.Tests;

/// <summary>Sizes the simulator produces. Times are printed, not asserted; the step budget is.</summary>
public sealed class PerformanceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(101, 5000, 5, 5)]
    [InlineData(102, 5000, 10, 1)]
    [InlineData(103, 5000, 10, 5)]
    public void ProbeSizes(int seed, int ops, int clients, int keys)
    {
        var settings = new HistorySettings(ops, clients, keys, LostRequestRate: 0.01, LostResponseRate: 0.01);
        var history = RandomHistory.Generate(seed, settings);
        var watch = Stopwatch.StartNew();
        var result = KvChecker.Check(history);
        output.WriteLine($"seed {seed}: {result.Outcome} steps {result.Steps} in {watch.ElapsedMilliseconds} ms");
        Assert.Equal(CheckOutcome.Ok, result.Outcome);
        for (int c = 0; c < 5; c++)
        {
            var corrupted = history.ToList();
            int at = RandomHistory.Corrupt(corrupted, seed * 10 + c);
            watch.Restart();
            var bad = KvChecker.Check(corrupted);
            output.WriteLine($"  corrupt #{at} {corrupted[at]}: {bad.Outcome} steps {bad.Steps} in {watch.ElapsedMilliseconds} ms");
        }
    }
}
