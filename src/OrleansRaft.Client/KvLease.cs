using OrleansRaft.KeyValue;

namespace OrleansRaft.Client;

/// <summary>
/// A granted lease that the client keeps alive: a keepalive every third of the TTL, retried on failure, until the
/// handle is disposed or the store no longer knows the lease. Disposing stops the keepalives and leaves the lease
/// to expire; <see cref="RevokeAsync"/> ends it at once.
/// </summary>
public sealed class KvLease : IAsyncDisposable
{
    private readonly KvClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _keepAlives;

    internal KvLease(KvClient client, LeaseGrantResult grant)
    {
        _client = client;
        Id = grant.Id;
        TtlSeconds = grant.TtlSeconds;
        Interval = TimeSpan.FromMilliseconds(Math.Max(100, grant.TtlSeconds * 1000 / 3));
        _loop = KeepAliveAsync(_stop.Token);
    }

    public long Id { get; }

    public long TtlSeconds { get; }

    /// <summary>The time between two keepalives.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Keepalives the store acknowledged so far.</summary>
    public long KeepAlives => Interlocked.Read(ref _keepAlives);

    /// <summary>Completes when the keepalives stop: after disposal, or once the store answered that the lease is gone.</summary>
    public Task Stopped => _loop;

    /// <summary>True once the store answered that the lease no longer exists (revoked or expired).</summary>
    public bool Lost { get; private set; }

    /// <summary>Revokes the lease, deleting its keys, and stops the keepalives.</summary>
    public async Task<LeaseRevokeResult> RevokeAsync(KvCallOptions? call = null, CancellationToken cancellationToken = default)
    {
        await DisposeAsync();
        return await _client.LeaseRevokeAsync(Id, call, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _loop;
        _stop.Dispose();
    }

    private async Task KeepAliveAsync(CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Interval, stop);
                try
                {
                    await _client.LeaseKeepAliveAsync(Id, new KvCallOptions { Timeout = Interval }, stop);
                    Interlocked.Increment(ref _keepAlives);
                }
                catch (KvRequestException e) when (e.Code == KvErrorCode.LeaseNotFound)
                {
                    Lost = true;
                    return;
                }
                catch (TimeoutException)
                {
                    // The next keepalive comes after the next interval; the TTL leaves room for two more.
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed.
        }
    }
}
