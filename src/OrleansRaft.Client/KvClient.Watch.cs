using System.Runtime.CompilerServices;
using OrleansRaft.KeyValue;

namespace OrleansRaft.Client;

public sealed partial class KvClient
{
    /// <summary>
    /// The events on <paramref name="key"/> (or the range up to <paramref name="rangeEnd"/>, see <see cref="KeyRanges"/>)
    /// from <paramref name="fromRevision"/> on, in revision order, with no gaps and no duplicates, until cancelled.
    /// <paramref name="fromRevision"/> 0 starts after the current revision (read linearizably, so nothing
    /// acknowledged before the call shows up). A watcher that stops after seeing revision R in full resumes with R + 1.
    /// </summary>
    /// <remarks>
    /// <para>The watch reads the store's event history from the revision it stands at: serializable reads by default,
    /// so any member serves them (events are the same on every member). It subscribes to the commit notifications of
    /// the member that serves it, preferring the leader that member names, and reads again when a notification may
    /// bring it events; without one it reads every <see cref="KvClientOptions.WatchPollInterval"/>, which covers lost
    /// notifications and lost subscriptions. Notifications decide only when the watch reads: order, gaps and
    /// duplicates are settled by revisions.</para>
    /// <para>A read that fails is retried from where the watch stands, at another member if need be, and the
    /// subscription follows. A start before the compact revision ends the watch with
    /// <see cref="KvWatchCompactedException"/>. Ending the enumeration unsubscribes.</para>
    /// </remarks>
    public IAsyncEnumerable<KvEvent> WatchAsync(
        ReadOnlyMemory<byte> key,
        ReadOnlyMemory<byte> rangeEnd = default,
        long fromRevision = 0,
        KvCallOptions? call = null,
        CancellationToken cancellationToken = default) =>
        WatchAsync(key, rangeEnd, fromRevision, call, static request => request, cancellationToken);

    /// <summary>
    /// <see cref="WatchAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, long, KvCallOptions?, CancellationToken)"/>,
    /// with every read of events made as <paramref name="onBehalfOf"/> makes it: for a gateway that serves its own
    /// users (it wraps each read in an <see cref="AsUserRequest"/> with a proof the silo accepts). A client with
    /// <see cref="KvClientOptions.Credentials"/> reads as its user either way.
    /// </summary>
    public async IAsyncEnumerable<KvEvent> WatchAsync(
        ReadOnlyMemory<byte> key,
        ReadOnlyMemory<byte> rangeEnd,
        long fromRevision,
        KvCallOptions? call,
        Func<KvRequest, KvRequest> onBehalfOf,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onBehalfOf);
        var polls = call ?? KvCallOptions.Serializable;
        var observer = new KvWatchObserver(new KvWatchFilter(key, rangeEnd));
        await using var subscription = new KvWatchSubscription(_grains, GroupId, _options, observer);
        var next = fromRevision;
        var skip = 0L;
        var failures = 0;
        while (true)
        {
            var request = new EventsRequest(key) { RangeEnd = rangeEnd, FromRevision = next, Skip = skip };
            EventsResult page;
            ulong servedBy;
            ulong leaderHint;
            try
            {
                var options = next == 0 ? KvCallOptions.Linearizable with { Timeout = polls.Timeout } : polls;
                (var read, leaderHint) = await ReadFromAsync<EventsResult>(onBehalfOf(request), options, subscription.Member, cancellationToken);
                (page, servedBy) = (read.Result, read.MemberId);
                failures = 0;
            }
            catch (TimeoutException)
            {
                // The group is unreachable for now; the watch stays where it is.
                await Task.Delay(_router.Backoff(failures++), cancellationToken);
                continue;
            }

            if (page.Compacted)
            {
                throw new KvWatchCompactedException(next, page.CompactRevision);
            }

            foreach (var e in page.Events)
            {
                yield return e;
            }

            next = page.NextRevision;
            skip = page.NextSkip;
            if (page.NextRevision <= page.Revision)
            {
                // A page of a longer history: read on at once.
                continue;
            }

            // Up to date with the member that answered. Follow the leader it names, which applies first.
            var serving = _router.IsMember(leaderHint) ? leaderHint : servedBy;
            if (await subscription.FollowAsync(serving, cancellationToken)
                || (subscription.Member != serving && serving != servedBy && await subscription.FollowAsync(servedBy, cancellationToken)))
            {
                continue;
            }

            var received = observer.Received;
            if (!await observer.Signal.WaitAsync(_options.WatchPollInterval, cancellationToken) && observer.Received == received)
            {
                // Silence for a whole interval: the member may have restarted without the subscription.
                subscription.RenewSoon();
            }
        }
    }

    /// <summary>Watches every key that starts with <paramref name="prefix"/> (UTF-8).</summary>
    public IAsyncEnumerable<KvEvent> WatchPrefixAsync(string prefix, long fromRevision = 0, KvCallOptions? call = null, CancellationToken cancellationToken = default)
    {
        var start = KvBytes.From(prefix);
        return WatchAsync(start, KeyRanges.PrefixEnd(start), fromRevision, call, cancellationToken);
    }
}
