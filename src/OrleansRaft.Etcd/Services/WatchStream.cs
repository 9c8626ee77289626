using System.Diagnostics;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using OrleansRaft.Client;
using OrleansRaft.Etcd.Auth;
using OrleansRaft.KeyValue;
using Proto = OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Etcd.Services;

/// <summary>
/// One Watch call: it reads create, cancel and progress requests in order, and runs a <see cref="Watcher"/> per
/// watch. Every response goes through one channel to one writer, so that the responses of a watch keep their order:
/// its created response, then its events, then its cancellation.
/// </summary>
/// <remarks>
/// Requests are handled one at a time, so created responses come in the order of the create requests, which is how
/// etcd's clients match them. As in etcd, a client that half-closes its side keeps its watches until the call ends,
/// and a cancel request for an unknown watch gets no answer.
/// </remarks>
internal sealed partial class WatchStream : IAsyncDisposable
{
    private const string DuplicateId = "mvcc: duplicate watch ID provided on the WatchStream";

    /// <summary>etcd's cancel reason for a watch on keys its caller may not read: the text of its gRPC error.</summary>
    private const string WatchNotPermitted = "rpc error: code = PermissionDenied desc = " + EtcdErrors.PermissionDenied;

    /// <summary>How long a progress request waits for lagging watches before it answers with where they are.</summary>
    private static readonly TimeSpan ProgressWait = TimeSpan.FromSeconds(2);

    private readonly EtcdGroup _group;
    private readonly KvClient _kv;
    private readonly EtcdCaller _caller;
    private readonly ILogger _logger;
    private readonly Channel<Proto.WatchResponse> _out = Channel.CreateBounded<Proto.WatchResponse>(new BoundedChannelOptions(256) { SingleReader = true });
    private readonly CancellationTokenSource _stop;
    private readonly Dictionary<long, Watcher> _watchers = [];
    private readonly Lock _gate = new();
    private readonly Task _writer;
    private long _nextId;

    public WatchStream(EtcdGroup group, EtcdCaller caller, IServerStreamWriter<Proto.WatchResponse> responses, ILogger logger, CancellationToken callCancelled)
    {
        _group = group;
        _caller = caller;
        _kv = group.Client;
        _logger = logger;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(callCancelled);
        _writer = WriteAsync(responses);
    }

    public async Task RunAsync(IAsyncStreamReader<Proto.WatchRequest> requests)
    {
        try
        {
            while (await requests.MoveNext(_stop.Token))
            {
                var request = requests.Current;
                switch (request.RequestUnionCase)
                {
                    case Proto.WatchRequest.RequestUnionOneofCase.CreateRequest:
                        await CreateAsync(request.CreateRequest);
                        break;
                    case Proto.WatchRequest.RequestUnionOneofCase.CancelRequest:
                        await CancelAsync(request.CancelRequest.WatchId);
                        break;
                    case Proto.WatchRequest.RequestUnionOneofCase.ProgressRequest:
                        await ProgressAsync();
                        break;
                    default:
                        // etcd skips requests it does not know, and keeps the stream.
                        break;
                }
            }

            await Task.Delay(Timeout.Infinite, _stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The call ended, or the client stopped reading.
        }
        catch (IOException)
        {
            // The client went away without ending the call.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Watcher[] watchers;
        lock (_gate)
        {
            watchers = [.. _watchers.Values];
            _watchers.Clear();
        }

        foreach (var watcher in watchers)
        {
            await watcher.StopAsync();
        }

        _out.Writer.TryComplete();
        await _writer;
        _stop.Dispose();
    }

    /// <summary>Queues a response; waits while the client reads slower than the watches produce.</summary>
    private ValueTask SendAsync(Proto.WatchResponse response, CancellationToken cancellationToken) => _out.Writer.WriteAsync(response, cancellationToken);

    private async Task WriteAsync(IServerStreamWriter<Proto.WatchResponse> responses)
    {
        try
        {
            await foreach (var response in _out.Reader.ReadAllAsync(_stop.Token))
            {
                await responses.WriteAsync(response, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The call is over: nobody reads the responses any more.
        }
        finally
        {
            await _stop.CancelAsync();
        }
    }

    private async Task CreateAsync(Proto.WatchCreateRequest create)
    {
        long id;
        bool duplicate;
        lock (_gate)
        {
            // 0 asks the stream to pick the id: the lowest unused one from a counter, as etcd does.
            id = create.WatchId;
            duplicate = id != 0 && _watchers.ContainsKey(id);
            if (id == 0)
            {
                while (_watchers.ContainsKey(_nextId))
                {
                    _nextId++;
                }

                id = _nextId++;
            }
        }

        if (duplicate)
        {
            await SendAsync(Refusal(create.WatchId, DuplicateId), _stop.Token);
            return;
        }

        var spec = WatchSpec.From(create);
        var start = Math.Max(0, create.StartRevision);
        KvRead<EventsResult> first;
        try
        {
            // "Now" is read linearizably, so that no write acknowledged before the watch was created is missed.
            first = await _kv.ReadAsync<EventsResult>(
                _caller.Wrap(spec.Request(start, 0)), start == 0 ? KvCallOptions.Linearizable : KvCallOptions.Serializable, _stop.Token);
        }
        catch (KvRequestException e) when (!_stop.IsCancellationRequested && e.Code is KvErrorCode.PermissionDenied or KvErrorCode.UserEmpty or KvErrorCode.InvalidAuthToken)
        {
            // etcd refuses a watch its caller may not read with one reason, whatever the auth failure was.
            await SendAsync(Refusal(id, WatchNotPermitted), _stop.Token);
            return;
        }
        catch (Exception e) when (!_stop.IsCancellationRequested && EtcdErrors.From(e, _stop.Token) is { } refused)
        {
            await SendAsync(Refusal(id, refused.Status.Detail), _stop.Token);
            return;
        }

        await SendAsync(new Proto.WatchResponse { Header = _group.Header(first.MemberId, first.Result.Revision), WatchId = id, Created = true }, _stop.Token);
        var from = start == 0 ? first.Result.Revision + 1 : start;
        var watcher = new Watcher(this, id, spec, Math.Min(from - 1, first.Result.Revision), first.MemberId);
        lock (_gate)
        {
            _watchers[id] = watcher;
        }

        watcher.Start(first);
    }

    private async Task CancelAsync(long id)
    {
        Watcher? watcher;
        lock (_gate)
        {
            _watchers.Remove(id, out watcher);
        }

        if (watcher is null)
        {
            return;
        }

        await watcher.StopAsync();
        await SendAsync(new Proto.WatchResponse { Header = _group.Header(watcher.Member, watcher.Progress), WatchId = id, Canceled = true }, _stop.Token);
    }

    /// <summary>
    /// Answers with watch id -1 and a header revision that every watch of the stream has reached: all their events
    /// up to it were sent before this response. The answer waits (a bounded time, without holding up other requests)
    /// until every watch caught up with the store's revision when the request came, so that it is at least that
    /// revision; without watches, it is that revision.
    /// </summary>
    private async Task ProgressAsync()
    {
        KvRead<StatusResult>? now = null;
        try
        {
            now = await _kv.ReadAsync<StatusResult>(new StatusRequest(), KvCallOptions.Linearizable, _stop.Token);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            // No revision to wait for: the answer says where the watches are.
        }

        var stop = _stop.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                var deadline = Stopwatch.StartNew();
                while (true)
                {
                    Watcher? slowest;
                    lock (_gate)
                    {
                        slowest = _watchers.Values.MinBy(w => w.Progress);
                    }

                    if (slowest is null || now is null || slowest.Progress >= now.Result.Revision || deadline.Elapsed > ProgressWait)
                    {
                        var header = slowest is not null ? _group.Header(slowest.Member, slowest.Progress)
                            : now is not null ? _group.Header(now.MemberId, now.Result.Revision)
                            : _group.Header(0, 0);
                        await SendAsync(new Proto.WatchResponse { Header = header, WatchId = -1 }, stop);
                        return;
                    }

                    await Task.Delay(_group.Options.WatchPollInterval, stop);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                // The call ended first.
            }
        });
    }

    /// <summary>Drops a watch that ended by itself (compacted, or refused by the store).</summary>
    private void Forget(Watcher watcher)
    {
        lock (_gate)
        {
            if (_watchers.TryGetValue(watcher.Id, out var current) && current == watcher)
            {
                _watchers.Remove(watcher.Id);
            }
        }
    }

    private Proto.WatchResponse Refusal(long id, string reason) => new()
    {
        Header = _group.Header(0, 0),
        WatchId = id,
        Created = true,
        Canceled = true,
        CancelReason = reason,
    };
}
