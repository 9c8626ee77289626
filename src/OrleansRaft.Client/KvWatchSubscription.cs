using System.Diagnostics;
using OrleansRaft.Abstractions;

namespace OrleansRaft.Client;

/// <summary>
/// Keeps one watch's observer subscribed to the member that serves the watch: it moves the subscription when that
/// member changes, renews it before the member would let it expire (and sooner when notifications stop coming), and
/// on dispose unsubscribes and releases the observer's object reference.
/// </summary>
/// <remarks>
/// Used by one watch loop at a time, not thread-safe. A member that no longer serves the watch is unsubscribed in the
/// background; if that fails (its silo died), the subscription dies with the member or expires, and notifications to
/// the released reference are dropped.
/// </remarks>
internal sealed class KvWatchSubscription : IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly string _groupId;
    private readonly KvClientOptions _options;
    private readonly KvWatchObserver _observer;
    private readonly List<Task> _retiring = [];
    private IRaftCommitObserver? _reference;
    private bool _unavailable;
    private Task? _subscribing;
    private ulong _member;
    private ulong _attempted;
    private long _subscribedAt;
    private bool _renewSoon;

    public KvWatchSubscription(IGrainFactory grains, string groupId, KvClientOptions options, KvWatchObserver observer)
    {
        _grains = grains;
        _groupId = groupId;
        _options = options;
        _observer = observer;
    }

    /// <summary>The member subscribed to, or 0.</summary>
    public ulong Member => _member;

    /// <summary>Renew at the next <see cref="FollowAsync"/>: the member may have lost the subscription.</summary>
    public void RenewSoon() => _renewSoon = true;

    /// <summary>
    /// Subscribes to <paramref name="member"/> when it is not the member subscribed to, or when the subscription is
    /// due for renewal. True when it subscribed: the member applied what came before without telling this watch,
    /// so the watch reads once more before it waits.
    /// </summary>
    public async Task<bool> FollowAsync(ulong member, CancellationToken cancellationToken)
    {
        if (_unavailable
            || (member == _member && !_renewSoon && Stopwatch.GetElapsedTime(_subscribedAt) < _options.WatchSubscriptionRenewal))
        {
            return false;
        }

        _reference ??= await CreateReferenceAsync();
        if (_reference is null)
        {
            return false;
        }

        var previous = _member;
        _member = 0;

        // An earlier attempt that timed out may still have landed on its member: leave it too, or that member would
        // notify a reference this watch no longer reads until the subscription expires.
        if (_attempted != member && _attempted != previous)
        {
            RetireQuietly(_attempted);
        }

        _attempted = member;
        _subscribing = Grain(member).SubscribeAsync(_reference);
        try
        {
            await _subscribing.WaitAsync(_options.AttemptTimeout, cancellationToken);
        }
        catch (Exception e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            // The watch polls until a later attempt succeeds.
            if (previous != member)
            {
                RetireQuietly(previous);
            }

            return false;
        }

        _member = member;
        _subscribedAt = Stopwatch.GetTimestamp();
        _renewSoon = false;
        if (previous != member)
        {
            RetireQuietly(previous);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_reference is null)
        {
            return;
        }

        // A subscription still in flight could land after the unsubscription: let it land first.
        if (_subscribing is { } subscribing)
        {
            await Quietly(subscribing);
        }

        // The last member asked holds the subscription if the request landed, whether or not its answer came back.
        if (_attempted != 0)
        {
            await Quietly(Grain(_attempted).UnsubscribeAsync(_reference));
        }

        await Quietly(Task.WhenAll(_retiring));
        var reference = _reference;
        await Task.Run(() => _grains.DeleteObjectReference<IRaftCommitObserver>(reference));
    }

    private IRaftMemberGrain Grain(ulong member) => _grains.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(_groupId, member));

    /// <summary>
    /// The observer's object reference, or null when this process cannot receive grain calls. Orleans refuses to make
    /// an object reference on a grain's scheduler (its grain context is thread-static); off it, a silo serves the
    /// reference through its hosted client, so a grain that watches gets notifications too.
    /// </summary>
    private async Task<IRaftCommitObserver?> CreateReferenceAsync()
    {
        try
        {
            return await Task.Run(() => _grains.CreateObjectReference<IRaftCommitObserver>(_observer));
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException)
        {
            // Polling alone still delivers every event, at the pace of WatchPollInterval.
            _unavailable = true;
            return null;
        }
    }

    private void RetireQuietly(ulong member)
    {
        if (member != 0)
        {
            _retiring.RemoveAll(t => t.IsCompleted);
            _retiring.Add(Quietly(Grain(member).UnsubscribeAsync(_reference!)));
        }
    }

    /// <summary>Waits for <paramref name="call"/> at most one attempt's time; it is best effort, so failures are dropped.</summary>
    private async Task Quietly(Task call)
    {
        try
        {
            await call.WaitAsync(_options.AttemptTimeout);
        }
        catch (Exception e) when (IsTransient(e))
        {
            // An unsubscription that fails leaves a subscription that expires on its own.
        }
    }

    private static bool IsTransient(Exception e) =>
        e is TimeoutException or OrleansException or OperationCanceledException or InvalidOperationException
            or RaftGroupNotFoundException or RaftMemberNotFoundException or RaftStorageUnavailableException;
}
