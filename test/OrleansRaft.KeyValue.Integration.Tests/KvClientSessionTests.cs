using OrleansRaft.Client;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>The client's session bookkeeping, without a cluster.</summary>
public sealed class KvClientSessionTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_stamp_acknowledges_every_sequence_below_the_lowest_still_in_flight()
    {
        var session = new RaftClientSession(window: 8);

        var first = await session.BeginAsync(7, Bound, CancellationToken.None);
        var second = await session.BeginAsync(7, Bound, CancellationToken.None);
        session.End(second.Sequence);
        var third = await session.BeginAsync(7, Bound, CancellationToken.None);
        session.End(first.Sequence);
        var fourth = await session.BeginAsync(7, Bound, CancellationToken.None);

        Assert.Equal(new RaftSessionStamp(7, 1, 1), first);
        Assert.Equal(new RaftSessionStamp(7, 2, 1), second);
        Assert.Equal(new RaftSessionStamp(7, 3, 1), third);
        Assert.Equal(new RaftSessionStamp(7, 4, 3), fourth);
    }

    [Fact]
    public async Task A_command_beyond_the_window_waits_until_the_oldest_in_flight_ends()
    {
        var session = new RaftClientSession(window: 2);
        var first = await session.BeginAsync(1, Bound, CancellationToken.None);
        await session.BeginAsync(1, Bound, CancellationToken.None);

        var third = session.BeginAsync(1, Bound, CancellationToken.None);
        Assert.False(third.IsCompleted);
        session.End(first.Sequence);

        Assert.Equal(new RaftSessionStamp(1, 3, 2), await third.WaitAsync(Bound));
    }

    [Fact]
    public async Task A_full_window_times_out_after_the_calls_timeout()
    {
        var session = new RaftClientSession(window: 1);
        await session.BeginAsync(1, Bound, CancellationToken.None);

        await Assert.ThrowsAsync<TimeoutException>(() => session.BeginAsync(1, TimeSpan.FromMilliseconds(50), CancellationToken.None));
    }
}
