namespace OrleansRaft.Linearizability.Tests;

public sealed class OperationTests
{
    [Fact]
    public void ACompletedOperationKeepsItsTimesAndOutput()
    {
        var op = Operation.Completed(3, 10, 20, KvInput.Get("a"), KvOutput.Read("x"));

        Assert.Equal(3, op.ClientId);
        Assert.Equal(10, op.Call);
        Assert.Equal(20, op.Return);
        Assert.Equal(KvInput.Get("a"), op.Input);
        Assert.Equal(KvOutput.Read("x"), op.Output);
        Assert.False(op.IsPending);
    }

    [Fact]
    public void APendingOperationNeverReturnsAndHasNoOutput()
    {
        var op = Operation.Pending<KvInput, KvOutput>(1, 5, KvInput.Put("a", "x"));

        Assert.True(op.IsPending);
        Assert.Equal(Operation.NeverReturned, op.Return);
        Assert.Null(op.Output);
    }

    [Fact]
    public void AnOperationMayReturnAtTheTickItWasCalled()
    {
        Assert.False(Operation.Completed(1, 7, 7, KvInput.Get("a"), KvOutput.Absent).IsPending);
    }

    [Theory]
    [InlineData(10, 9)]
    [InlineData(0, long.MaxValue)]
    [InlineData(long.MaxValue, long.MaxValue)]
    public void ImpossibleTimesAreRejected(long call, long ret)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Operation.Completed(1, call, ret, KvInput.Get("a"), KvOutput.Absent));
    }

    [Fact]
    public void APendingOperationNeedsACallTime()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => Operation.Pending<KvInput, KvOutput>(1, long.MaxValue, KvInput.Get("a")));
    }

    [Fact]
    public void TheRecorderTurnsUncompletedCallsIntoPendingOperations()
    {
        var recorder = new HistoryRecorder<KvInput, KvOutput>();
        int put = recorder.Invoke(1, 0, KvInput.Put("a", "x"));
        int get = recorder.Invoke(2, 1, KvInput.Get("a"));
        recorder.Complete(put, 2, KvOutput.Written);

        var history = recorder.ToHistory();

        Assert.Equal(2, history.Count);
        Assert.Equal((0L, 2L, false), (history[put].Call, history[put].Return, history[put].IsPending));
        Assert.Equal((1L, Operation.NeverReturned, true), (history[get].Call, history[get].Return, history[get].IsPending));
        Assert.Equal(CheckOutcome.Ok, KvChecker.Check(history).Outcome);
    }

    [Fact]
    public void TheRecorderRejectsASecondReturnAndAReturnBeforeTheCall()
    {
        var recorder = new HistoryRecorder<KvInput, KvOutput>();
        int id = recorder.Invoke(1, 5, KvInput.Get("a"));

        Assert.Throws<ArgumentOutOfRangeException>(() => recorder.Complete(id, 4, KvOutput.Absent));
        recorder.Complete(id, 6, KvOutput.Absent);
        Assert.Throws<InvalidOperationException>(() => recorder.Complete(id, 7, KvOutput.Absent));
        Assert.Throws<ArgumentOutOfRangeException>(() => recorder.Complete(1, 7, KvOutput.Absent));
    }

    [Fact]
    public void AnOperationListedTwiceIsRejected()
    {
        var op = Operation.Completed(1, 0, 1, KvInput.Get("a"), KvOutput.Absent);

        Assert.Throws<ArgumentException>(() => KvChecker.Check([op, op]));
    }
}
