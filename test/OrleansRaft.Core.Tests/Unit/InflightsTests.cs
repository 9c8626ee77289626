using OrleansRaft.Core.Tracking;

namespace OrleansRaft.Core.Tests.Unit;

public sealed class InflightsTests
{
    [Fact]
    public void TheWindowFillsUpToItsCapacity()
    {
        var inflights = new Inflights(3);
        inflights.Add(1);
        inflights.Add(2);
        Assert.False(inflights.IsFull);

        inflights.Add(3);

        Assert.True(inflights.IsFull);
        Assert.Equal(3, inflights.Count);
        var error = Assert.Throws<InvalidOperationException>(() => inflights.Add(4));
        Assert.Equal("Cannot add to a full inflight window.", error.Message);
    }

    [Fact]
    public void FreeingReleasesEveryMessageUpToTheIndex()
    {
        var inflights = new Inflights(4);
        foreach (var index in new ulong[] { 2, 4, 6, 8 })
        {
            inflights.Add(index);
        }

        inflights.FreeLessOrEqual(5);
        Assert.Equal(2, inflights.Count);

        // An acknowledgement older than everything in flight frees nothing.
        inflights.FreeLessOrEqual(3);
        Assert.Equal(2, inflights.Count);

        inflights.FreeLessOrEqual(100);
        Assert.Equal(0, inflights.Count);
    }

    [Fact]
    public void TheRingWrapsAroundWithoutLosingOrder()
    {
        var inflights = new Inflights(3);
        inflights.Add(1);
        inflights.Add(2);
        inflights.Add(3);
        inflights.FreeLessOrEqual(2);

        inflights.Add(4);
        inflights.Add(5);
        Assert.True(inflights.IsFull);

        inflights.FreeLessOrEqual(4);
        Assert.Equal(1, inflights.Count);
        inflights.FreeLessOrEqual(5);
        Assert.Equal(0, inflights.Count);
    }

    [Fact]
    public void FreeingTheFirstReleasesOnlyTheOldestMessage()
    {
        var inflights = new Inflights(3);
        inflights.Add(5);
        inflights.Add(6);
        inflights.Add(7);

        inflights.FreeFirst();

        Assert.Equal(2, inflights.Count);
        inflights.FreeLessOrEqual(6);
        Assert.Equal(1, inflights.Count);
    }

    [Fact]
    public void ResetEmptiesTheWindow()
    {
        var inflights = new Inflights(2);
        inflights.Add(1);
        inflights.Add(2);

        inflights.Reset();

        Assert.Equal(0, inflights.Count);
        Assert.False(inflights.IsFull);
        inflights.Add(9);
        inflights.FreeLessOrEqual(8);
        Assert.Equal(1, inflights.Count);
    }
}
