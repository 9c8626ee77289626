using OrleansRaft.Linearizability.Tests.Support;

namespace OrleansRaft.Linearizability.Tests;

public sealed class KvModelTests
{
    private static readonly KvModel Model = KvModel.Instance;
    private static readonly KvState AIsX = KvState.Empty.With("a", "x");

    [Fact]
    public void APutSetsItsKeyAndLeavesTheOthers()
    {
        var state = KvState.Empty.With("b", "y");

        var result = Model.Step(state, KvInput.Put("a", "x"), KvOutput.Written);

        Assert.True(result.Accepted);
        Assert.Equal(KvState.Empty.With("a", "x").With("b", "y"), result.State);
    }

    [Theory]
    [InlineData("x", true)]
    [InlineData("y", false)]
    [InlineData(null, false)]
    public void AGetIsAcceptedOnlyWithTheCurrentValue(string? read, bool accepted)
    {
        var result = Model.Step(AIsX, KvInput.Get("a"), KvOutput.Read(read));

        Assert.Equal(accepted, result.Accepted);
        if (accepted)
        {
            Assert.Same(AIsX, result.State);
        }
    }

    [Fact]
    public void AGetOfAnAbsentKeyReadsAbsent()
    {
        Assert.True(Model.Step(AIsX, KvInput.Get("b"), KvOutput.Absent).Accepted);
        Assert.False(Model.Step(AIsX, KvInput.Get("b"), KvOutput.Read("x")).Accepted);
    }

    [Theory]
    [InlineData("x", true, true, "z")]
    [InlineData("x", false, false, null)]
    [InlineData("w", false, true, "x")]
    [InlineData("w", true, false, null)]
    [InlineData(null, false, true, "x")]
    public void ACompareAndSetSwapsExactlyWhenTheValueMatches(string? expected, bool swapped, bool accepted, string? after)
    {
        var result = Model.Step(AIsX, KvInput.CompareAndSet("a", expected, "z"), KvOutput.CompareAndSet(swapped));

        Assert.Equal(accepted, result.Accepted);
        if (accepted)
        {
            Assert.Equal(after, result.State.Get("a"));
        }
    }

    [Fact]
    public void ACompareAndSetExpectingAbsentCreatesTheKey()
    {
        var result = Model.Step(KvState.Empty, KvInput.CompareAndSet("a", null, "x"), KvOutput.CompareAndSet(true));

        Assert.True(result.Accepted);
        Assert.Equal(AIsX, result.State);
    }

    [Fact]
    public void PendingOperationsTakeTheEffectTheyWouldHaveHad()
    {
        Assert.Equal("y", Model.StepPending(AIsX, KvInput.Put("a", "y")).Get("a"));
        Assert.Same(AIsX, Model.StepPending(AIsX, KvInput.Get("a")));
        Assert.Equal("z", Model.StepPending(AIsX, KvInput.CompareAndSet("a", "x", "z")).Get("a"));
        Assert.Equal("x", Model.StepPending(AIsX, KvInput.CompareAndSet("a", "w", "z")).Get("a"));
    }

    [Fact]
    public void ReadsFailedSwapsAndSelfSwapsAreReadOnly()
    {
        Assert.True(Model.IsReadOnly(Kv.Get(1, 0, 1, "a", "x")));
        Assert.True(Model.IsReadOnly(Kv.PendingGet(1, 0, "a")));
        Assert.True(Model.IsReadOnly(Kv.Cas(1, 0, 1, "a", "x", "y", false)));
        Assert.True(Model.IsReadOnly(Kv.Cas(1, 0, 1, "a", "x", "x", true)));
        Assert.True(Model.IsReadOnly(Kv.PendingCas(1, 0, "a", "x", "x")));
        Assert.False(Model.IsReadOnly(Kv.Cas(1, 0, 1, "a", "x", "y", true)));
        Assert.False(Model.IsReadOnly(Kv.PendingCas(1, 0, "a", "x", "y")));
        Assert.False(Model.IsReadOnly(Kv.Put(1, 0, 1, "a", "x")));
        Assert.False(Model.IsReadOnly(Kv.PendingPut(1, 0, "a", "x")));
    }

    [Fact]
    public void APendingWriteMayEnableWhatObservesItsValue()
    {
        var put = Kv.PendingPut(1, 0, "a", "x");

        Assert.True(Model.MayEnable(put, Kv.Get(2, 0, 1, "a", "x")));
        Assert.True(Model.MayEnable(put, Kv.Cas(2, 0, 1, "a", "x", "y", true)));
        Assert.True(Model.MayEnable(put, Kv.PendingCas(2, 0, "a", "x", "y")));
        Assert.True(Model.MayEnable(put, Kv.Cas(2, 0, 1, "a", "w", "y", false)));
        Assert.False(Model.MayEnable(put, Kv.Cas(2, 0, 1, "a", "x", "y", false)));
        Assert.False(Model.MayEnable(put, Kv.Get(2, 0, 1, "a", "w")));
        Assert.False(Model.MayEnable(put, Kv.Get(2, 0, 1, "a", null)));
        Assert.False(Model.MayEnable(put, Kv.Get(2, 0, 1, "b", "x")));
        Assert.False(Model.MayEnable(put, Kv.Put(2, 0, 1, "a", "y")));
        Assert.False(Model.MayEnable(Kv.PendingGet(1, 0, "a"), Kv.Get(2, 0, 1, "a", null)));
    }

    [Fact]
    public void PartitionGroupsByKeyAndKeepsOrder()
    {
        var a1 = Kv.Put(1, 0, 1, "a", "x");
        var b1 = Kv.Put(1, 2, 3, "b", "y");
        var a2 = Kv.Get(2, 0, 4, "a", "x");

        var parts = Model.Partition([a1, b1, a2]);

        Assert.Equal(["a", "b"], parts.Select(p => p.Name));
        Assert.Equal([a1, a2], parts[0].Operations);
        Assert.Equal([b1], parts[1].Operations);
    }

    [Fact]
    public void StatesCompareByContent()
    {
        var one = KvState.Empty.With("a", "x").With("b", "y");
        var other = KvState.Empty.With("b", "y").With("a", "x");

        Assert.Equal(one, other);
        Assert.Equal(one.GetHashCode(), other.GetHashCode());
        Assert.NotEqual(one, one.With("a", "z"));
        Assert.Same(one, one.With("a", "x"));
        Assert.Equal("{a: \"x\", b: \"y\"}", one.ToString());
        Assert.Equal("{}", KvState.Empty.ToString());
    }

    [Fact]
    public void OperationsDescribeThemselves()
    {
        Assert.Equal("Put(a, \"x\")", Model.DescribeInput(KvInput.Put("a", "x")));
        Assert.Equal("CompareAndSet(a, absent -> \"x\")", Model.DescribeInput(KvInput.CompareAndSet("a", null, "x")));
        Assert.Equal("ok", Model.DescribeOutput(KvInput.Put("a", "x"), KvOutput.Written));
        Assert.Equal("absent", Model.DescribeOutput(KvInput.Get("a"), KvOutput.Absent));
        Assert.Equal("\"x\"", Model.DescribeOutput(KvInput.Get("a"), KvOutput.Read("x")));
        Assert.Equal("true", Model.DescribeOutput(KvInput.CompareAndSet("a", "x", "y"), KvOutput.CompareAndSet(true)));
    }
}
