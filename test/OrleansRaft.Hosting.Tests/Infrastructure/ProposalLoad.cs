using OrleansRaft.Abstractions;

namespace OrleansRaft.Hosting.Tests.Infrastructure;

/// <summary>
/// A steady proposal load: each proposer proposes the next int, through <see cref="RaftCluster.ProposeAsync"/>, until
/// stopped, and keeps every acknowledged command with its answer.
/// </summary>
public sealed class ProposalLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(int Command, RaftProposeResult Result)> _acknowledged = [];
    private readonly List<TimeSpan> _acknowledgedAt = [];
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly Task _running;
    private int _next = -1;

    public ProposalLoad(RaftCluster raft, string groupId, IReadOnlyList<ulong> members, TimeSpan timeout, int proposers)
    {
        _running = Task.WhenAll(Enumerable.Range(0, proposers).Select(_ => Task.Run(async () =>
        {
            ulong hint = 0;
            while (!_stop.IsCancellationRequested)
            {
                var command = Interlocked.Increment(ref _next);
                var result = await raft.ProposeAsync(groupId, members, BitConverter.GetBytes(command), timeout, hint);
                hint = result.LeaderHint;
                lock (_acknowledged)
                {
                    _acknowledged.Add((command, result));
                    _acknowledgedAt.Add(_clock.Elapsed);
                }
            }
        })));
    }

    /// <summary>The longest time between two acknowledgements (from the first to the last): the load's worst unavailability.</summary>
    public TimeSpan LongestGap
    {
        get
        {
            lock (_acknowledged)
            {
                var longest = TimeSpan.Zero;
                for (var i = 1; i < _acknowledgedAt.Count; i++)
                {
                    var gap = _acknowledgedAt[i] - _acknowledgedAt[i - 1];
                    longest = gap > longest ? gap : longest;
                }

                return longest;
            }
        }
    }

    /// <summary>How many commands were acknowledged so far.</summary>
    public int Count
    {
        get
        {
            lock (_acknowledged)
            {
                return _acknowledged.Count;
            }
        }
    }

    /// <summary>Waits until <paramref name="commands"/> more commands are acknowledged; a proposer that gave up fails the wait.</summary>
    public async Task WaitForProgressAsync(int commands, TimeSpan timeout)
    {
        var target = Count + commands;
        await RaftCluster.WaitUntilAsync(async () =>
        {
            if (_running.IsFaulted)
            {
                await _running;
            }

            return Count >= target;
        }, timeout, $"{target} acknowledged proposals");
    }

    /// <summary>Stops the proposers, lets each finish its proposal in flight, and returns every acknowledged command.</summary>
    public async Task<List<(int Command, RaftProposeResult Result)>> StopAsync()
    {
        _stop.Cancel();
        await _running;
        lock (_acknowledged)
        {
            return [.. _acknowledged];
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            await _running;
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            // The test that owns the load failed already, or is failing on this very error through StopAsync.
        }

        _stop.Dispose();
    }
}
