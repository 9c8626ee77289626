using static OrleansRaft.Linearizability.Tests.Support.Kv;

namespace OrleansRaft.Linearizability.Tests;

/// <summary>Hand-written histories that have a linearization.</summary>
public sealed class LinearizableHistoryTests
{
    [Fact]
    public void AnEmptyHistoryIsLinearizable()
    {
        var result = Check();

        Assert.Equal(CheckOutcome.Ok, result.Outcome);
        Assert.Empty(result.Partitions);
        Assert.Equal("linearizable: 0 operations in 0 partitions, 0 steps", result.Explanation);
    }

    [Fact]
    public void ASequentialHistoryFollowsTheRegister()
    {
        var result = Check(
            Get(1, 0, 1, "a", null),
            Put(1, 2, 3, "a", "x"),
            Get(1, 4, 5, "a", "x"),
            Cas(1, 6, 7, "a", "x", "y", true),
            Cas(1, 8, 9, "a", "x", "z", false),
            Get(1, 10, 11, "a", "y"));

        Assert.Equal(CheckOutcome.Ok, result.Outcome);
        Assert.True(result.IsLinearizable);
        Assert.Equal(["a"], result.Partitions.Select(p => p.Partition));
        Assert.Equal(6, result.Partitions[0].OperationCount);
        Assert.Empty(result.Partitions[0].LongestPrefix);
        Assert.Null(result.Partitions[0].Unplaced);
    }

    [Fact]
    public void AReadConcurrentWithAWriteMaySeeTheNewValueBeforeTheWriteReturns()
    {
        Assert.Equal(CheckOutcome.Ok, Check(Put(1, 0, 10, "a", "x"), Get(2, 2, 3, "a", "x")).Outcome);
        Assert.Equal(CheckOutcome.Ok, Check(Put(1, 0, 10, "a", "x"), Get(2, 2, 3, "a", null)).Outcome);
    }

    [Fact]
    public void AReadMaySeeTheOldValueThenTheNewOneDuringAWrite()
    {
        var result = Check(
            Put(1, 0, 10, "a", "x"),
            Get(2, 2, 3, "a", null),
            Get(2, 4, 5, "a", "x"));

        Assert.Equal(CheckOutcome.Ok, result.Outcome);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("y")]
    public void EitherOfTwoConcurrentWritesMayWin(string winner)
    {
        var result = Check(
            Put(1, 0, 10, "a", "x"),
            Put(2, 1, 9, "a", "y"),
            Get(3, 11, 12, "a", winner));

        Assert.Equal(CheckOutcome.Ok, result.Outcome);
    }

    [Fact]
    public void ReadsDuringTwoConcurrentWritesFixTheirOrder()
    {
        // Only y, then x explains the reads: the writes were concurrent, so that order is allowed.
        var result = Check(
            Put(1, 0, 10, "a", "x"),
            Put(2, 0, 10, "a", "y"),
            Get(3, 2, 3, "a", "y"),
            Get(3, 4, 5, "a", "x"),
            Get(3, 11, 12, "a", "x"));

        Assert.Equal(CheckOutcome.Ok, result.Outcome);
    }

    [Fact]
    public void OfTwoConcurrentSwapsFromTheSameValueOneWins()
    {
        var result = Check(
            Put(1, 0, 1, "a", "0"),
            Cas(2, 2, 10, "a", "0", "1", false),
            Cas(3, 3, 11, "a", "0", "2", true),
            Get(1, 12, 13, "a", "2"));

        Assert.Equal(CheckOutcome.Ok, result.Outcome);
    }

    [Fact]
    public void TwoSwapsFromTheSameValueBothSucceedWhenAConcurrentWriteRestoresIt()
    {
        var result = Check(
            Put(1, 0, 1, "a", "0"),
            Cas(2, 2, 10, "a", "0", "1", true),
            Cas(3, 3, 11, "a", "0", "2", true),
            Put(4, 4, 9, "a", "0"));

        Assert.Equal(CheckOutcome.Ok, result.Outcome);
    }

    [Fact]
    public void OperationsThatTouchInTimeAreConcurrent()
    {
        // The get is called at the tick the put returns: it may take effect first.
        Assert.Equal(CheckOutcome.Ok, Check(Put(1, 0, 5, "a", "x"), Get(2, 5, 6, "a", null)).Outcome);
    }

    [Fact]
    public void KeysAreIndependent()
    {
        var result = Check(
            Put(1, 0, 1, "a", "x"),
            Get(2, 2, 3, "b", null),
            Put(1, 4, 5, "b", "y"),
            Get(2, 6, 7, "a", "x"));

        Assert.Equal(CheckOutcome.Ok, result.Outcome);
        Assert.Equal(["a", "b"], result.Partitions.Select(p => p.Partition));
        Assert.All(result.Partitions, p => Assert.Equal(2, p.OperationCount));
    }

    [Fact]
    public void TheOrderOfTheListDoesNotMatter()
    {
        Operation<KvInput, KvOutput>[] history =
        [
            Put(1, 0, 10, "a", "x"),
            Put(2, 0, 10, "a", "y"),
            Get(3, 2, 3, "a", "y"),
            Get(3, 4, 5, "a", "x"),
        ];

        Assert.Equal(CheckOutcome.Ok, KvChecker.Check(history).Outcome);
        Assert.Equal(CheckOutcome.Ok, KvChecker.Check(history.Reverse().ToArray()).Outcome);
    }
}
