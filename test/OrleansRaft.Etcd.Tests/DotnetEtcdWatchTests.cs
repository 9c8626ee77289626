using System.Threading.Channels;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Mvccpb;
using OrleansRaft.Etcd.Tests.Infrastructure;

namespace OrleansRaft.Etcd.Tests;

/// <summary>The Watch stream through dotnet-etcd: creation order, history, filters, cancel, progress and compaction.</summary>
[Collection(EtcdGatewayCollection.Name)]
public sealed class DotnetEtcdWatchTests(EtcdGatewayCluster fixture) : IDisposable
{
    private readonly EtcdClient _client = EtcdClients.Connect(fixture);

    [Fact]
    public async Task Watches_on_one_stream_get_ids_in_order_history_in_revision_order_and_a_cancel()
    {
        var first = (await _client.PutAsync("/net/watch/a", "1", deadline: EtcdClients.Deadline())).Header.Revision;
        await _client.PutAsync("/net/watch/b", "2", deadline: EtcdClients.Deadline());
        await _client.PutAsync("/net/watch/a", "3", deadline: EtcdClients.Deadline());
        var last = (await _client.DeleteAsync("/net/watch/b", deadline: EtcdClients.Deadline())).Header.Revision;

        using var call = _client.GetConnection().WatchClient.Watch(deadline: EtcdClients.Deadline());
        var responses = call.ResponseStream;
        await call.RequestStream.WriteAsync(Create("/net/watch/", prefix: true, start: first, prevKv: true));
        await call.RequestStream.WriteAsync(Create("/net/watch/a", prefix: false, start: first, filters: WatchCreateRequest.Types.FilterType.Noput));
        await call.RequestStream.WriteAsync(new WatchRequest());

        var created0 = await NextAsync(responses);
        Assert.Equal((0L, true, false), (created0.WatchId, created0.Created, created0.Canceled));
        Assert.True(created0.Header.Revision >= last);

        // Each watch's responses are in order; the two watches' responses may interleave.
        var events = new Dictionary<long, List<Mvccpb.Event>> { [0] = [], [1] = [] };
        var created1 = false;
        while (events[0].Count < 4 || !created1)
        {
            var response = await NextAsync(responses);
            if (response.Created)
            {
                Assert.Equal(1, response.WatchId);
                created1 = true;
                continue;
            }

            Assert.True(response.WatchId != 1 || created1, "a watch's events came before its created response");
            Assert.All(response.Events, e => Assert.True(e.Kv.ModRevision <= response.Header.Revision));
            events[response.WatchId].AddRange(response.Events);
        }

        Assert.Equal(
            [$"PUT /net/watch/a 1 @{first}", $"PUT /net/watch/b 2 @{first + 1}", $"PUT /net/watch/a 3 @{first + 2}", $"DELETE /net/watch/b  @{last}"],
            events[0].Select(Show));
        Assert.Equal("1", events[0][2].PrevKv.Value.ToStringUtf8());
        Assert.Equal("2", events[0][3].PrevKv.Value.ToStringUtf8());
        Assert.Empty(events[1]);

        // A live event, then progress: every event up to the header revision was sent before it.
        var live = (await _client.PutAsync("/net/watch/c", "4", deadline: EtcdClients.Deadline())).Header.Revision;
        var liveResponse = await NextAsync(responses);
        Assert.Equal((0L, $"PUT /net/watch/c 4 @{live}"), (liveResponse.WatchId, Show(Assert.Single(liveResponse.Events))));
        await call.RequestStream.WriteAsync(new WatchRequest { ProgressRequest = new WatchProgressRequest() });
        var progress = await NextAsync(responses);
        Assert.Equal((-1L, 0), (progress.WatchId, progress.Events.Count));
        Assert.True(progress.Header.Revision >= live, $"progress {progress.Header.Revision} is behind the event at {live}");

        await call.RequestStream.WriteAsync(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = 0 } });
        var canceled = await NextAsync(responses);
        Assert.Equal((0L, true), (canceled.WatchId, canceled.Canceled));

        // Watch 1 is still there, and sees a delete of its key.
        var gone = (await _client.DeleteAsync("/net/watch/a", deadline: EtcdClients.Deadline())).Header.Revision;
        var deleteResponse = await NextAsync(responses);
        Assert.Equal((1L, $"DELETE /net/watch/a  @{gone}"), (deleteResponse.WatchId, Show(Assert.Single(deleteResponse.Events))));

        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task A_watch_pages_through_more_events_than_a_store_page_without_gaps_or_duplicates()
    {
        const int Count = (EtcdGatewayCluster.PageSize * 2) + 30;
        var first = 0L;
        for (var batch = 0; batch < Count; batch += 46)
        {
            var txn = new TxnRequest();
            for (var i = batch; i < Math.Min(Count, batch + 46); i++)
            {
                txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8($"/net/pages/{i:D4}"), Value = ByteString.CopyFromUtf8("v") } });
            }

            var revision = (await _client.TransactionAsync(txn, deadline: EtcdClients.Deadline())).Header.Revision;
            first = first == 0 ? revision : first;
        }

        using var call = _client.GetConnection().WatchClient.Watch(deadline: EtcdClients.Deadline());
        await call.RequestStream.WriteAsync(Create("/net/pages/", prefix: true, start: first));
        Assert.True((await NextAsync(call.ResponseStream)).Created);
        var seen = new List<string>();
        while (seen.Count < Count)
        {
            seen.AddRange((await NextAsync(call.ResponseStream)).Events.Select(e => e.Kv.Key.ToStringUtf8()));
        }

        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"/net/pages/{i:D4}"), seen);
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task A_watch_from_a_compacted_revision_is_cancelled_with_the_compact_revision()
    {
        var old = (await _client.PutAsync("/net/compacted/k", "1", deadline: EtcdClients.Deadline())).Header.Revision;
        var now = (await _client.PutAsync("/net/compacted/k", "2", deadline: EtcdClients.Deadline())).Header.Revision;
        await _client.CompactAsync(new CompactionRequest { Revision = now, Physical = true }, deadline: EtcdClients.Deadline());

        using var call = _client.GetConnection().WatchClient.Watch(deadline: EtcdClients.Deadline());
        await call.RequestStream.WriteAsync(Create("/net/compacted/k", prefix: false, start: old));
        Assert.True((await NextAsync(call.ResponseStream)).Created);
        var cancelled = await NextAsync(call.ResponseStream);
        Assert.Equal((0L, true, now), (cancelled.WatchId, cancelled.Canceled, cancelled.CompactRevision));
        Assert.Empty(cancelled.Events);

        var read = await Assert.ThrowsAsync<RpcException>(() => _client.GetAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("/net/compacted/k"), Revision = old }, deadline: EtcdClients.Deadline()));
        Assert.Equal((StatusCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted"), (read.StatusCode, read.Status.Detail));
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task The_client_watch_api_delivers_a_put_made_after_it_started()
    {
        var received = Channel.CreateUnbounded<WatchResponse>();
        using var stop = new CancellationTokenSource(EtcdGatewayCluster.Bound);
        var watching = _client.WatchAsync("/net/api/k", response => received.Writer.TryWrite(response), cancellationToken: stop.Token);

        Mvccpb.Event? seen = null;
        await EtcdGatewayCluster.WaitUntilAsync(async () =>
        {
            await _client.PutAsync("/net/api/k", "hello", deadline: EtcdClients.Deadline());
            while (received.Reader.TryRead(out var response))
            {
                seen ??= response.Events.FirstOrDefault();
            }

            return seen is not null;
        }, "the watch to deliver a put");
        Assert.Equal(("/net/api/k", "hello", Mvccpb.Event.Types.EventType.Put), (seen!.Kv.Key.ToStringUtf8(), seen.Kv.Value.ToStringUtf8(), seen.Type));
        await stop.CancelAsync();
        await Task.WhenAny(watching, Task.Delay(EtcdGatewayCluster.Bound));
    }

    public void Dispose() => _client.Dispose();

    private static WatchRequest Create(string key, bool prefix, long start, bool prevKv = false, params WatchCreateRequest.Types.FilterType[] filters)
    {
        var create = new WatchCreateRequest { Key = ByteString.CopyFromUtf8(key), StartRevision = start, PrevKv = prevKv };
        if (prefix)
        {
            var end = key.ToCharArray();
            end[^1]++;
            create.RangeEnd = ByteString.CopyFromUtf8(new string(end));
        }

        create.Filters.AddRange(filters);
        return new WatchRequest { CreateRequest = create };
    }

    private static async Task<WatchResponse> NextAsync(IAsyncStreamReader<WatchResponse> responses)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.True(await responses.MoveNext(bound.Token), "the watch stream ended");
        return responses.Current;
    }

    private static string Show(Mvccpb.Event e) => $"{e.Type.ToString().ToUpperInvariant()} {e.Kv.Key.ToStringUtf8()} {e.Kv.Value.ToStringUtf8()} @{e.Kv.ModRevision}";
}
