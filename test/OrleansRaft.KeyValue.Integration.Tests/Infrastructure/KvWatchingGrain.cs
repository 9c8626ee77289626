using OrleansRaft.Client;

namespace OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

/// <summary>A grain that watches a prefix through <see cref="KvClient"/>, as application code in a silo would.</summary>
public interface IKvWatchingGrain : IGrainWithStringKey
{
    /// <summary>Starts watching <paramref name="prefix"/> of <paramref name="groupId"/> from <paramref name="fromRevision"/>.</summary>
    Task StartAsync(string groupId, string prefix, long fromRevision, TimeSpan pollInterval);

    /// <summary>The mod revisions of the events seen so far, in order.</summary>
    Task<long[]> SeenAsync();

    /// <summary>Cancels the watch and waits until it ended (and unsubscribed).</summary>
    Task StopAsync();
}

public sealed class KvWatchingGrain : Grain, IKvWatchingGrain
{
    private readonly List<long> _seen = [];
    private CancellationTokenSource? _stop;
    private Task? _watch;
    private KvClient? _client;

    public async Task StartAsync(string groupId, string prefix, long fromRevision, TimeSpan pollInterval)
    {
        _client = await KvClient.ConnectAsync(GrainFactory, groupId, new KvClientOptions { WatchPollInterval = pollInterval });
        _stop = new CancellationTokenSource();
        _watch = WatchAsync(_client, prefix, fromRevision, _stop.Token);
    }

    public Task<long[]> SeenAsync() => Task.FromResult(_seen.ToArray());

    public async Task StopAsync()
    {
        await _stop!.CancelAsync();
        try
        {
            await _watch!;
        }
        catch (OperationCanceledException)
        {
            // The watch ends by cancellation.
        }

        await _client!.DisposeAsync();
    }

    /// <summary>Runs on the grain's scheduler, between its calls: the client's awaits resume in the grain's context.</summary>
    private async Task WatchAsync(KvClient client, string prefix, long fromRevision, CancellationToken cancellationToken)
    {
        await foreach (var e in client.WatchPrefixAsync(prefix, fromRevision, cancellationToken: cancellationToken))
        {
            _seen.Add(e.Kv.ModRevision);
        }
    }
}
