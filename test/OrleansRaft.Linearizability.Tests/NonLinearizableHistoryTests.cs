using static OrleansRaft.Linearizability.Tests.Support.Kv;

namespace OrleansRaft.Linearizability.Tests;

/// <summary>Hand-written histories that have no linearization, and what the checker says about them.</summary>
public sealed class NonLinearizableHistoryTests
{
    [Fact]
    public void AStaleReadIsAViolation()
    {
        var first = Put(1, 0, 1, "a", "1");
        var second = Put(2, 2, 3, "a", "2");
        var stale = Get(3, 4, 5, "a", "1");

        var result = Check(first, second, stale);

        Assert.Equal(CheckOutcome.Violation, result.Outcome);
        var violation = result.FirstViolation!;
        Assert.Equal("a", violation.Partition);
        Assert.Equal([first, second], violation.LongestPrefix);
        Assert.Same(stale, violation.Unplaced);
    }

    [Fact]
    public void ALostWriteIsAViolation()
    {
        var put = Put(1, 0, 1, "a", "x");
        var read = Get(2, 2, 3, "a", null);

        var result = Check(put, read);

        Assert.Equal(CheckOutcome.Violation, result.Outcome);
        Assert.Same(read, result.FirstViolation!.Unplaced);
    }

    [Fact]
    public void ASwapThatIsLostLaterIsAViolation()
    {
        var result = Check(
            Put(1, 0, 1, "a", "x"),
            Cas(2, 2, 3, "a", "x", "y", true),
            Get(3, 4, 5, "a", "x"));

        Assert.Equal(CheckOutcome.Violation, result.Outcome);
    }

    [Fact]
    public void TwoSwapsFromTheSameValueCannotBothSucceed()
    {
        var result = Check(
            Put(1, 0, 1, "a", "0"),
            Cas(2, 2, 10, "a", "0", "1", true),
            Cas(3, 3, 11, "a", "0", "2", true));

        Assert.Equal(CheckOutcome.Violation, result.Outcome);
        Assert.Equal(2, result.FirstViolation!.LongestPrefix.Count);
    }

    [Fact]
    public void TwoSwapsFromTheCurrentValueCannotBothFail()
    {
        var result = Check(
            Put(1, 0, 1, "a", "0"),
            Cas(2, 2, 10, "a", "0", "1", false),
            Cas(3, 3, 11, "a", "0", "2", false));

        Assert.Equal(CheckOutcome.Violation, result.Outcome);
    }

    [Fact]
    public void ReadsCannotGoBackInTime()
    {
        // Once a read has seen the new value, a later read cannot see the old one, even during the write.
        var result = Check(
            Put(1, 0, 10, "a", "x"),
            Get(2, 2, 3, "a", "x"),
            Get(2, 4, 5, "a", null));

        Assert.Equal(CheckOutcome.Violation, result.Outcome);
    }

    [Fact]
    public void ReadsOfTwoConcurrentWritesCannotAlternate()
    {
        var result = Check(
            Put(1, 0, 10, "a", "x"),
            Put(2, 0, 10, "a", "y"),
            Get(3, 2, 3, "a", "x"),
            Get(3, 4, 5, "a", "y"),
            Get(3, 6, 7, "a", "x"));

        Assert.Equal(CheckOutcome.Violation, result.Outcome);
    }

    [Fact]
    public void AReadCannotSeeAWriteThatStartsAfterIt()
    {
        Assert.Equal(CheckOutcome.Violation, Check(Get(1, 0, 1, "a", "x"), Put(2, 2, 3, "a", "x")).Outcome);
    }

    [Fact]
    public void AReadCannotSeeAValueNeverWritten()
    {
        Assert.Equal(CheckOutcome.Violation, Check(Put(1, 0, 1, "a", "x"), Get(2, 0, 3, "a", "y")).Outcome);
    }

    [Fact]
    public void AWriteThatReturnedBeforeAReadStartedMustBeSeen()
    {
        // One tick apart is enough for real-time order.
        Assert.Equal(CheckOutcome.Violation, Check(Put(1, 0, 4, "a", "x"), Get(2, 5, 6, "a", null)).Outcome);
    }

    [Fact]
    public void AViolationIsReportedOnItsKeyAlone()
    {
        var result = Check(
            Put(1, 0, 1, "a", "x"),
            Get(2, 2, 3, "a", "x"),
            Put(1, 4, 5, "b", "1"),
            Put(1, 6, 7, "b", "2"),
            Get(2, 8, 9, "b", "1"),
            Put(3, 0, 1, "c", "z"));

        Assert.Equal(CheckOutcome.Violation, result.Outcome);
        Assert.Equal(
            [("a", CheckOutcome.Ok), ("b", CheckOutcome.Violation), ("c", CheckOutcome.Ok)],
            result.Partitions.Select(p => (p.Partition, p.Outcome)));
        Assert.Equal("b", result.FirstViolation!.Partition);
    }

    [Fact]
    public void EveryViolatingKeyIsReported()
    {
        var result = Check(
            Put(1, 0, 1, "a", "x"),
            Get(2, 2, 3, "a", null),
            Put(1, 0, 1, "b", "y"),
            Get(2, 2, 3, "b", null));

        Assert.Equal(
            [CheckOutcome.Violation, CheckOutcome.Violation],
            result.Partitions.Select(p => p.Outcome));
        Assert.Equal(2, result.Explanation.Split(Environment.NewLine).Count(line => line.StartsWith("partition", StringComparison.Ordinal)));
    }
}
