using System.Diagnostics;
using System.Threading.Channels;
using OrleansRaft.Client;
using OrleansRaft.Etcd.Diagnostics;
using OrleansRaft.Etcd.Mapping;
using OrleansRaft.KeyValue;
using Proto = OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Etcd.Services;

internal sealed partial class WatchStream
{
    /// <summary>What a create request asked for.</summary>
    private sealed record WatchSpec(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> RangeEnd, bool PrevKv, bool NoPut, bool NoDelete, bool ProgressNotify)
    {
        /// <summary>As in etcd, an empty key means the smallest key, "\0" (with range end "\0": every key).</summary>
        public static WatchSpec From(Proto.WatchCreateRequest create) => new(
            create.Key.IsEmpty ? new byte[] { 0 } : create.Key.Memory,
            create.RangeEnd.Memory,
            create.PrevKv,
            create.Filters.Contains(Proto.WatchCreateRequest.Types.FilterType.Noput),
            create.Filters.Contains(Proto.WatchCreateRequest.Types.FilterType.Nodelete),
            create.ProgressNotify);

        public EventsRequest Request(long fromRevision, long skip) => new(Key) { RangeEnd = RangeEnd, FromRevision = fromRevision, Skip = skip };

        public bool Wants(KvEvent e) => e.Type == KvEventType.Put ? !NoPut : !NoDelete;
    }

    /// <summary>
    /// One watch: it pages through the store's event history from its start revision, sends each page's events as
    /// one response, and asks again after <see cref="Hosting.EtcdGatewayOptions.WatchPollInterval"/> once up to date.
    /// </summary>
    /// <remarks>
    /// Each page continues where the previous one ended (revision and skip), whichever member answers: members
    /// hold the same history, so a lagging member only delays events. Events therefore come in revision order, with
    /// no gaps and no duplicates. A start before the compact revision ends the watch with <c>compact_revision</c>.
    /// </remarks>
    private sealed class Watcher
    {
        private readonly WatchStream _stream;
        private readonly WatchSpec _spec;
        private readonly CancellationTokenSource _cancel;
        private Task _loop = Task.CompletedTask;
        private long _progress;
        private long _member;

        public Watcher(WatchStream stream, long id, WatchSpec spec, long progress, ulong member)
        {
            _stream = stream;
            Id = id;
            _spec = spec;
            _progress = progress;
            _member = (long)member;
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(stream._stop.Token);
        }

        public long Id { get; }

        /// <summary>Every event of this watch up to this revision was queued; never more than the store's revision.</summary>
        public long Progress => Interlocked.Read(ref _progress);

        /// <summary>The member that answered the latest page.</summary>
        public ulong Member => (ulong)Interlocked.Read(ref _member);

        public void Start(KvRead<EventsResult> first) => _loop = RunAsync(first, _cancel.Token);

        public async Task StopAsync()
        {
            await _cancel.CancelAsync();
            await _loop;
            _cancel.Dispose();
        }

        private async Task RunAsync(KvRead<EventsResult> read, CancellationToken cancellationToken)
        {
            var group = _stream._group;
            var lastSent = Stopwatch.GetTimestamp();
            try
            {
                while (true)
                {
                    var page = read.Result;
                    Interlocked.Exchange(ref _member, (long)read.MemberId);
                    if (page.Compacted)
                    {
                        await _stream.SendAsync(
                            new Proto.WatchResponse
                            {
                                Header = group.Header(read.MemberId, page.Revision),
                                WatchId = Id,
                                Canceled = true,
                                CompactRevision = page.CompactRevision,

                                // As etcd: no reason; clients tell a compaction from compact_revision.
                            },
                            cancellationToken);
                        _stream.Forget(this);
                        return;
                    }

                    // Every event before the next revision was returned by this page or an earlier one; a member that
                    // lags does not move progress back, and a start in the future does not move it past the store.
                    var through = Math.Max(Progress, Math.Min(page.NextRevision - 1, page.Revision));
                    var response = new Proto.WatchResponse { WatchId = Id };
                    foreach (var e in page.Events)
                    {
                        if (_spec.Wants(e))
                        {
                            response.Events.Add(StoreMapping.ToProto(e, _spec.PrevKv));
                        }
                    }

                    var notify = _spec.ProgressNotify && Stopwatch.GetElapsedTime(lastSent) >= group.Options.ProgressNotifyInterval;
                    if (response.Events.Count > 0 || notify)
                    {
                        var last = response.Events.Count > 0 ? response.Events[^1].Kv.ModRevision : 0;
                        response.Header = group.Header(read.MemberId, Math.Max(through, last));
                        await _stream.SendAsync(response, cancellationToken);
                        lastSent = Stopwatch.GetTimestamp();
                    }

                    Interlocked.Exchange(ref _progress, through);
                    if (page.NextRevision > page.Revision)
                    {
                        await Task.Delay(group.Options.WatchPollInterval, cancellationToken);
                    }

                    read = await PollAsync(page.NextRevision, page.NextSkip, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Cancelled by the client, or the call ended.
            }
            catch (ChannelClosedException)
            {
                // The call ended while this watch was sending.
            }
            catch (Exception e)
            {
                // The store refused the watch (a key over the limits, the group deleted): it ends with the reason.
                var reason = EtcdErrors.From(e, cancellationToken)?.Status.Detail;
                if (reason is null)
                {
                    EtcdLogMessages.CallFailed(_stream._logger, "Watch", e);
                    reason = EtcdErrors.InternalError;
                }

                _stream.Forget(this);
                await TrySendAsync(new Proto.WatchResponse
                {
                    Header = group.Header(Member, Progress),
                    WatchId = Id,
                    Canceled = true,
                    CancelReason = reason,
                });
            }
        }

        /// <summary>The next page; a poll that times out is retried after a doubling pause, from the same place.</summary>
        private async Task<KvRead<EventsResult>> PollAsync(long next, long skip, CancellationToken cancellationToken)
        {
            var interval = _stream._group.Options.WatchPollInterval;
            for (var failures = 0; ; failures++)
            {
                try
                {
                    return await _stream._kv.ReadAsync<EventsResult>(_stream._caller.Wrap(_spec.Request(next, skip)), KvCallOptions.Serializable, cancellationToken);
                }
                catch (Exception e) when (e is TimeoutException or OrleansException && !cancellationToken.IsCancellationRequested)
                {
                    EtcdLogMessages.WatchPollFailed(_stream._logger, Id, KvBytes.Show(_spec.Key.Span), e);
                    var pause = Math.Min(1000, interval.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 10)));
                    await Task.Delay(TimeSpan.FromMilliseconds(pause), cancellationToken);
                }
            }
        }

        private async Task TrySendAsync(Proto.WatchResponse response)
        {
            try
            {
                await _stream.SendAsync(response, _stream._stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException or ObjectDisposedException)
            {
                // The call is over.
            }
        }
    }
}
