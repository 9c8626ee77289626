using static OrleansRaft.Linearizability.Tests.Support.Kv;

namespace OrleansRaft.Linearizability.Tests;

/// <summary>
/// Operations that never returned: each may take effect at any moment after its call, or never, and whatever
/// it would have answered goes unseen.
/// </summary>
public sealed class PendingOperationTests
{
    [Fact]
    public void APendingWriteMayHaveTakenEffect()
    {
        Assert.Equal(CheckOutcome.Ok, Check(PendingPut(1, 0, "a", "x"), Get(2, 5, 6, "a", "x")).Outcome);
    }

    [Fact]
    public void APendingWriteMayNeverHaveTakenEffect()
    {
        var result = Check(
            PendingPut(1, 0, "a", "x"),
            Get(2, 5, 6, "a", null),
            Get(2, 7, 8, "a", null));

        Assert.Equal(CheckOutcome.Ok, result.Outcome);
    }

    [Fact]
    public void APendingWriteMayTakeEffectLongAfterItsCall()
    {
        var result = Check(
            PendingPut(1, 0, "a", "x"),
            Get(2, 1, 2, "a", null),
            Put(3, 3, 4, "a", "y"),
            Get(2, 5, 6, "a", "y"),
            Get(2, 100, 101, "a", "x"));

        Assert.Equal(CheckOutcome.Ok, result.Outcome);
    }

    [Fact]
    public void APendingWriteTakesEffectOnce()
    {
        var result = Check(
            PendingPut(1, 0, "a", "x"),
            Get(2, 1, 2, "a", "x"),
            Put(3, 3, 4, "a", "y"),
            Get(2, 5, 6, "a", "x"));

        Assert.Equal(CheckOutcome.Violation, result.Outcome);
    }

    [Fact]
    public void APendingWriteCannotBeUndone()
    {
        var result = Check(
            PendingPut(1, 0, "a", "x"),
            Get(2, 1, 2, "a", "x"),
            Get(2, 3, 4, "a", null));

        Assert.Equal(CheckOutcome.Violation, result.Outcome);
    }

    [Fact]
    public void APendingWriteCannotTakeEffectBeforeItsCall()
    {
        Assert.Equal(CheckOutcome.Violation, Check(Get(2, 0, 1, "a", "x"), PendingPut(1, 2, "a", "x")).Outcome);
    }

    [Fact]
    public void APendingSwapTakesEffectOnlyIfItsExpectationHolds()
    {
        Assert.Equal(
            CheckOutcome.Ok,
            Check(Put(1, 0, 1, "a", "x"), PendingCas(2, 2, "a", "x", "y"), Get(3, 5, 6, "a", "y")).Outcome);
        Assert.Equal(
            CheckOutcome.Violation,
            Check(Put(1, 0, 1, "a", "x"), PendingCas(2, 2, "a", "z", "y"), Get(3, 5, 6, "a", "y")).Outcome);
    }

    [Fact]
    public void PendingOperationsMayChain()
    {
        // Only the pending put, then the pending swap, explains the read.
        var chained = new[]
        {
            PendingCas(2, 0, "a", "x", "y"),
            PendingPut(1, 1, "a", "x"),
            Get(3, 5, 6, "a", "y"),
        };
        Assert.Equal(CheckOutcome.Ok, KvChecker.Check(chained).Outcome);
        Assert.Equal(CheckOutcome.Violation, KvChecker.Check([.. chained, Get(3, 7, 8, "a", "x")]).Outcome);
    }

    [Fact]
    public void APendingWriteCanExplainTwoSwapsFromTheSameValue()
    {
        var result = Check(
            Put(1, 0, 1, "a", "0"),
            PendingPut(2, 2, "a", "0"),
            Cas(3, 3, 4, "a", "0", "1", true),
            Cas(3, 5, 6, "a", "0", "2", true));

        Assert.Equal(CheckOutcome.Ok, result.Outcome);
    }

    [Fact]
    public void APendingWriteCanExplainAFailedSwap()
    {
        Operation<KvInput, KvOutput>[] history = [Put(1, 0, 1, "a", "0"), Cas(3, 3, 4, "a", "0", "1", false)];

        Assert.Equal(CheckOutcome.Violation, KvChecker.Check(history).Outcome);
        Assert.Equal(CheckOutcome.Ok, KvChecker.Check([.. history, PendingPut(2, 2, "a", "9")]).Outcome);
    }

    [Fact]
    public void PendingReadsChangeNothing()
    {
        var result = Check(
            PendingGet(1, 0, "a"),
            Put(2, 1, 2, "a", "1"),
            Put(2, 3, 4, "a", "2"),
            PendingGet(1, 3, "a"),
            Get(3, 5, 6, "a", "1"));

        Assert.Equal(CheckOutcome.Violation, result.Outcome);
        Assert.Equal(CheckOutcome.Ok, Check(PendingGet(1, 0, "a")).Outcome);
    }

    [Fact]
    public void AHistoryOfPendingOperationsIsLinearizable()
    {
        var result = Check(
            PendingPut(1, 0, "a", "x"),
            PendingCas(2, 1, "a", null, "y"),
            PendingGet(3, 2, "a"));

        Assert.Equal(CheckOutcome.Ok, result.Outcome);
    }

    [Fact]
    public void ARecordedTimeoutIsAPendingOperation()
    {
        var recorder = new HistoryRecorder<KvInput, KvOutput>();
        int put = recorder.Invoke(1, 0, KvInput.Put("a", "x"));
        int early = recorder.Invoke(2, 1, KvInput.Get("a"));
        recorder.Complete(early, 2, KvOutput.Absent);
        int late = recorder.Invoke(2, 3, KvInput.Get("a"));
        recorder.Complete(late, 4, KvOutput.Read("x"));

        var history = recorder.ToHistory();

        Assert.True(history[put].IsPending);
        Assert.Equal(CheckOutcome.Ok, KvChecker.Check(history).Outcome);
    }
}
