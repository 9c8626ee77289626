namespace OrleansRaft.Client;

/// <summary>
/// A client's session with a group (Raft thesis §6.3): commands carry (session, sequence), so a retry that
/// reaches the log again gets the first result instead of applying twice. Sequences still in flight are not
/// acknowledged; every sequence below the lowest one in flight is, which lets the group drop those results.
/// </summary>
/// <remarks>Thread-safe. One session is opened on first use and shared by every call; an expired one is replaced.</remarks>
internal sealed class RaftClientSession
{
    private readonly Lock _gate = new();
    private readonly SortedSet<ulong> _inFlight = [];
    private Task<ulong>? _opening;
    private TaskCompletionSource? _windowOpened;
    private ulong _nextSequence = 1;

    public RaftClientSession(int window)
    {
        Window = window;
    }

    /// <summary>Most sequences from the lowest in flight to the newest, that one included.</summary>
    public int Window { get; }

    /// <summary>The open session's id, or 0.</summary>
    public ulong Id
    {
        get
        {
            lock (_gate)
            {
                return _opening is { IsCompletedSuccessfully: true } opened ? opened.Result : 0;
            }
        }
    }

    /// <summary>
    /// The session's id, opening it with <paramref name="open"/> if needed. Concurrent callers share one opening, so
    /// it runs on no caller's token; each caller waits for it under its own.
    /// </summary>
    public async Task<ulong> GetIdAsync(Func<Task<ulong>> open, CancellationToken cancellationToken)
    {
        Task<ulong> opening;
        lock (_gate)
        {
            _opening ??= open();
            opening = _opening;
        }

        try
        {
            return await opening.WaitAsync(cancellationToken);
        }
        catch when (opening.IsFaulted || opening.IsCanceled)
        {
            // A failed opening is not cached: the next call tries again.
            lock (_gate)
            {
                if (_opening == opening)
                {
                    _opening = null;
                }
            }

            throw;
        }
    }

    /// <summary>
    /// Takes the next sequence of session <paramref name="sessionId"/>; the caller must <see cref="End"/> it. Waits
    /// while <see cref="Window"/> sequences or more separate the lowest one in flight from the next: the group keeps a
    /// bounded number of results per session, and once it drops one above a slow command's sequence, it refuses that
    /// command (sequence discarded) although it never applied it.
    /// </summary>
    public async Task<RaftSessionStamp> BeginAsync(ulong sessionId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            Task opened;
            lock (_gate)
            {
                var lowest = _inFlight.Count == 0 ? _nextSequence : _inFlight.Min;
                if (_nextSequence - lowest < (ulong)Window)
                {
                    var sequence = _nextSequence++;
                    _inFlight.Add(sequence);
                    return new RaftSessionStamp(sessionId, sequence, _inFlight.Min);
                }

                _windowOpened ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                opened = _windowOpened.Task;
            }

            var left = timeout - waited.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"The client session's window of {Window} commands stayed full for {timeout}.");
            }

            await opened.WaitAsync(left, cancellationToken);
        }
    }

    /// <summary>The caller holds the result of <paramref name="sequence"/>, or gave it up: it is never sent again.</summary>
    public void End(ulong sequence)
    {
        TaskCompletionSource? opened;
        lock (_gate)
        {
            _inFlight.Remove(sequence);
            opened = _windowOpened;
            _windowOpened = null;
        }

        opened?.TrySetResult();
    }

    /// <summary>The group no longer knows session <paramref name="sessionId"/>: the next command opens a new one.</summary>
    public void Expired(ulong sessionId)
    {
        lock (_gate)
        {
            if (_opening is { IsCompletedSuccessfully: true } opened && opened.Result == sessionId)
            {
                _opening = null;
            }
        }
    }
}

/// <summary>A command's place in its session: its sequence, and every sequence below <see cref="AcknowledgedBelow"/> answered.</summary>
internal readonly record struct RaftSessionStamp(ulong SessionId, ulong Sequence, ulong AcknowledgedBelow);
