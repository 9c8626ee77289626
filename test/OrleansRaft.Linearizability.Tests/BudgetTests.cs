using static OrleansRaft.Linearizability.Tests.Support.Kv;

namespace OrleansRaft.Linearizability.Tests;

public sealed class BudgetTests
{
    private static readonly Operation<KvInput, KvOutput>[] StaleRead =
    [
        Put(1, 0, 1, "a", "1"),
        Put(2, 2, 3, "a", "2"),
        Get(3, 4, 5, "a", "1"),
    ];

    [Fact]
    public void ASearchThatRunsOutOfStepsReportsUnknown()
    {
        var result = KvChecker.Check(StaleRead, new CheckOptions { MaxStepsPerPartition = 2 });

        Assert.Equal(CheckOutcome.Unknown, result.Outcome);
        Assert.False(result.IsLinearizable);
        Assert.Null(result.FirstViolation);
        Assert.Equal(2, result.Steps);
        Assert.Equal(
            string.Join(
                Environment.NewLine,
                "partition \"a\" (3 operations, 2 steps): unknown, the search stopped at its budget of 2 steps.",
                "  Longest linearizable prefix found: 2 operations:",
                "    #0 client 1 [0..1] Put(a, \"1\") -> ok",
                "    #1 client 2 [2..3] Put(a, \"2\") -> ok",
                "  State after it: {a: \"2\"}",
                "  Next to place: #2 client 3 [4..5] Get(a) -> \"1\""),
            result.Explanation);
    }

    [Fact]
    public void TheBudgetAppliesToEachPartition()
    {
        var history = StaleRead.Concat([Put(1, 0, 1, "b", "x"), Get(1, 2, 3, "b", "x")]).ToArray();

        var result = KvChecker.Check(history, new CheckOptions { MaxStepsPerPartition = 2 });

        Assert.Equal(
            [(CheckOutcome.Unknown, 2L), (CheckOutcome.Ok, 2L)],
            result.Partitions.Select(p => (p.Outcome, p.Steps)));
        Assert.Equal(CheckOutcome.Unknown, result.Outcome);
    }

    [Fact]
    public void AViolationElsewhereOutweighsAnUnknownPartition()
    {
        var history = StaleRead.Concat([Put(1, 0, 1, "b", "x"), Get(1, 2, 3, "b", null)]).ToArray();

        var result = KvChecker.Check(history, new CheckOptions { MaxStepsPerPartition = 2 });

        Assert.Equal([CheckOutcome.Unknown, CheckOutcome.Violation], result.Partitions.Select(p => p.Outcome));
        Assert.Equal(CheckOutcome.Violation, result.Outcome);
        Assert.Equal("b", result.FirstViolation!.Partition);
    }

    [Fact]
    public void EnoughStepsDecide()
    {
        var result = KvChecker.Check(StaleRead, new CheckOptions { MaxStepsPerPartition = 3 });

        Assert.Equal(CheckOutcome.Violation, result.Outcome);
        Assert.Equal(3, result.Steps);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(-1, 10)]
    [InlineData(10, -1)]
    public void NonsenseOptionsAreRejected(long maxSteps, int shown)
    {
        var options = new CheckOptions { MaxStepsPerPartition = maxSteps, PrefixOperationsShown = shown };

        Assert.Throws<ArgumentOutOfRangeException>(() => KvChecker.Check(StaleRead, options));
    }
}
