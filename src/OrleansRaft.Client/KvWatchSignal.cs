namespace OrleansRaft.Client;

/// <summary>
/// A wake-up for one watch: at most one is pending, however many notifications set it, so a burst of commits costs
/// the watch one read after the one in flight.
/// </summary>
/// <remarks>Thread-safe: observers set it from any thread while the watch waits on it.</remarks>
internal sealed class KvWatchSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _pending = NewPending();

    public void Set()
    {
        lock (_gate)
        {
            _pending.TrySetResult();
        }
    }

    /// <summary>
    /// Waits until the signal is set, at most <paramref name="timeout"/>, and clears it. True when it was set, false
    /// when the time ran out. A wake-up set after this returns stays pending for the next wait: the read that follows
    /// this wait starts after every notification that this wait consumed.
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task pending;
        lock (_gate)
        {
            pending = _pending.Task;
        }

        bool woken;
        try
        {
            await pending.WaitAsync(timeout, cancellationToken);
            woken = true;
        }
        catch (TimeoutException)
        {
            woken = false;
        }

        lock (_gate)
        {
            if (_pending.Task.IsCompleted)
            {
                _pending = NewPending();
            }
        }

        return woken;
    }

    // The watch's continuation must not run inside the notifying call (on an Orleans thread, or in a silo's grain).
    private static TaskCompletionSource NewPending() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
