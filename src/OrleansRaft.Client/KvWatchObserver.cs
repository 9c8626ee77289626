using OrleansRaft.Abstractions;

namespace OrleansRaft.Client;

/// <summary>
/// Receives a member's commit notifications for one watch and wakes it when they may bring it events. Notifications
/// only say "read now": what the watch yields comes from the event history, by revision, so a lost, late, duplicated
/// or reordered notification changes when the watch reads, never what it yields.
/// </summary>
/// <remarks>
/// A notification whose indexes do not follow the last one seen from the same member means some were lost; it
/// wakes the watch whatever it carries. So does the first from a member.
/// </remarks>
internal sealed class KvWatchObserver(KvWatchFilter filter) : IRaftCommitObserver
{
    private readonly Lock _gate = new();
    private ulong _member;
    private ulong _lastIndex;
    private long _received;

    public KvWatchSignal Signal { get; } = new();

    /// <summary>How many notifications arrived so far, relevant or not: a count that stands still means none comes.</summary>
    public long Received => Interlocked.Read(ref _received);

    public Task OnCommittedAsync(RaftCommitNotification notification)
    {
        Interlocked.Increment(ref _received);
        bool wake;
        lock (_gate)
        {
            var follows = notification.MemberId == _member && notification.FirstIndex <= _lastIndex + 1;
            if (notification.MemberId != _member)
            {
                _member = notification.MemberId;
                _lastIndex = 0;
            }

            _lastIndex = Math.Max(_lastIndex, notification.LastIndex);
            wake = !follows || filter.MayTouch(notification.Entries);
        }

        if (wake)
        {
            Signal.Set();
        }

        return Task.CompletedTask;
    }
}
