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
    /// The client polls the store's event history: serializable reads by default, so any member serves them (a
    /// member that lags only delays events; events are the same on every member). A poll that fails is retried from
    /// where the watch stands. A start before the compact revision ends the watch with
    /// <see cref="KvWatchCompactedException"/>.
    /// </remarks>
    public async IAsyncEnumerable<KvEvent> WatchAsync(
        ReadOnlyMemory<byte> key,
        ReadOnlyMemory<byte> rangeEnd = default,
        long fromRevision = 0,
        KvCallOptions? call = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var polls = call ?? KvCallOptions.Serializable;
        var next = fromRevision;
        var skip = 0L;
        var failures = 0;
        while (true)
        {
            var request = new EventsRequest(key) { RangeEnd = rangeEnd, FromRevision = next, Skip = skip };
            EventsResult page;
            try
            {
                page = (await ReadAsync<EventsResult>(request, next == 0 ? KvCallOptions.Linearizable with { Timeout = polls.Timeout } : polls, cancellationToken)).Result;
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
            if (page.NextRevision > page.Revision)
            {
                // Up to date with the member that answered: wait before asking again.
                await Task.Delay(_options.WatchPollInterval, cancellationToken);
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

/// <summary>A watch asked for events before the compact revision: they are gone, and the watch ended.</summary>
public sealed class KvWatchCompactedException(long fromRevision, long compactRevision)
    : Exception($"The watch asked for events from revision {fromRevision}, but the store is compacted up to {compactRevision}.")
{
    public long FromRevision { get; } = fromRevision;

    public long CompactRevision { get; } = compactRevision;
}
