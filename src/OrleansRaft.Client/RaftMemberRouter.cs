using OrleansRaft.Abstractions;

namespace OrleansRaft.Client;

/// <summary>
/// Chooses which member of a group gets each attempt. Requests for the leader go to the cached leader, follow a
/// NotLeader answer's hint, and fall back to round-robin when no leader is known or a member does not answer;
/// after a full round without progress the next attempt waits a jittered, doubling backoff. Serializable reads go
/// round-robin from a random start, to spread the load. The members are those the group had when the client connected,
/// kept up with membership changes: a hint that names a member the router does not know adds it, and a member that
/// answers that it is no longer one makes the router read the group's members again from its admin grain.
/// </summary>
/// <remarks>Thread-safe: one router serves every concurrent call of a client (<see cref="KvClient"/>, <see cref="RaftGroupClient{TCommand, TResult}"/>, a commit feed).</remarks>
internal sealed class RaftMemberRouter
{
    private readonly IGrainFactory _grains;
    private readonly string _groupId;
    private ulong[] _members;
    private readonly RaftRetrySettings _options;
    private readonly string _what;
    private readonly Lock _gate = new();

    // GetGrain resolves the interface's grain type by reflection on every call: a request resolves a member once.
    // Guarded by _gate; holds at most the members the group ever had while this client ran.
    private readonly Dictionary<ulong, IRaftMemberGrain> _references = [];
    private ulong _leader;
    private int _next;

    /// <summary><paramref name="what"/> names the group in timeouts, as in "the key-value group".</summary>
    public RaftMemberRouter(IGrainFactory grains, string groupId, ulong[] members, RaftRetrySettings options, string what)
    {
        _what = what;
        _grains = grains;
        _groupId = groupId;
        _members = members;
        _options = options;
        lock (_gate)
        {
            _next = options.Random.Next(members.Length);
        }
    }

    /// <summary>The member believed to lead, or 0.</summary>
    public ulong Leader
    {
        get
        {
            lock (_gate)
            {
                return _leader;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="call"/> until a member answers Ok: against the leader when <paramref name="toLeader"/>,
    /// else against any member. Throws <see cref="TimeoutException"/> once <paramref name="timeout"/> has passed,
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled, and at once
    /// for errors that a retry cannot mend (an unknown group, a bad argument). An Ok reply that
    /// <paramref name="accept"/> refuses (a member too far behind) counts as a fruitless attempt: the next member is tried.
    /// A request for any member goes first to <paramref name="prefer"/> when it names a member (a watch reads where it
    /// is subscribed), then round-robin.
    /// </summary>
    public async Task<(TReply Reply, ulong MemberId)> SendAsync<TReply>(
        bool toLeader,
        Func<IRaftMemberGrain, CancellationToken, Task<TReply>> call,
        Func<TReply, (RaftRequestStatus Status, ulong LeaderHint)> outcome,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        Func<TReply, bool>? accept = null,
        ulong prefer = 0)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var token = deadline.Token;
        var target = toLeader ? LeaderOrNext() : IsMember(prefer) ? prefer : Next();
        var attempts = 0;
        var rounds = 0;
        Exception? last = null;
        try
        {
            while (true)
            {
                token.ThrowIfCancellationRequested();
                ulong hint = 0;
                try
                {
                    var reply = await call(Reference(target), token).WaitAsync(_options.AttemptTimeout, token);
                    var (status, leaderHint) = outcome(reply);
                    if (status == RaftRequestStatus.Ok && (accept is null || accept(reply)))
                    {
                        if (toLeader)
                        {
                            Remember(target);
                        }

                        return (reply, target);
                    }

                    last = null;
                    hint = status == RaftRequestStatus.NotLeader ? leaderHint : status == RaftRequestStatus.Busy ? target : 0;
                }
                catch (Exception e) when (IsTransient(e) && !token.IsCancellationRequested)
                {
                    last = e;
                }
                catch (RaftMemberNotFoundException e) when (!token.IsCancellationRequested)
                {
                    // The member was removed from the group: learn the members it has now, then try one of them.
                    last = e;
                    await RefreshMembersAsync(token);
                }

                var busy = hint == target;
                if (hint != 0 && !busy)
                {
                    // A member named the leader: follow it at once, even to a member that joined since the client connected.
                    Add(hint);
                    Remember(hint);
                    target = hint;
                }
                else if (!busy)
                {
                    Forget(target);
                    target = Next();
                }

                // A busy leader gets a pause at once; otherwise a pause follows as many fruitless attempts as there are
                // members, so that hints that go round in circles during an election do not spin.
                if (busy || ++attempts >= Members.Count)
                {
                    attempts = 0;
                    await Task.Delay(Backoff(rounds++), token);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"No member of {_what} '{_groupId}' served the request within {timeout}" + (last is null ? "." : $"; the last failure: {last.Message}"), last);
        }
    }

    /// <summary>The members the router knows now.</summary>
    public IReadOnlyList<ulong> Members
    {
        get
        {
            lock (_gate)
            {
                return _members;
            }
        }
    }

    /// <summary>Whether <paramref name="id"/> is a member of the group (0 is none).</summary>
    public bool IsMember(ulong id)
    {
        lock (_gate)
        {
            return id != 0 && Array.IndexOf(_members, id) >= 0;
        }
    }

    /// <summary>
    /// Reads the group's members from its admin grain, which records every committed membership change. A failure to
    /// reach it leaves the members as they were, for the next attempt; a group that no longer exists ends the request.
    /// </summary>
    private async Task RefreshMembersAsync(CancellationToken token)
    {
        RaftGroupInfo? info;
        try
        {
            info = await _grains.GetGrain<IRaftGroupGrain>(_groupId).GetAsync().WaitAsync(_options.AttemptTimeout, token);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or RaftStorageUnavailableException && !token.IsCancellationRequested)
        {
            return;
        }

        if (info is null)
        {
            throw new RaftGroupNotFoundException(_groupId);
        }

        if (info.Members.Length > 0)
        {
            lock (_gate)
            {
                _members = [.. info.Members.Distinct()];
                _next %= _members.Length;
                if (Array.IndexOf(_members, _leader) < 0)
                {
                    _leader = 0;
                }
            }
        }
    }

    private IRaftMemberGrain Reference(ulong member)
    {
        lock (_gate)
        {
            if (!_references.TryGetValue(member, out var grain))
            {
                grain = _grains.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(_groupId, member));
                _references[member] = grain;
            }

            return grain;
        }
    }

    private void Add(ulong member)
    {
        lock (_gate)
        {
            if (Array.IndexOf(_members, member) < 0)
            {
                _members = [.. _members, member];
            }
        }
    }

    /// <summary>Errors that another attempt, possibly at another member, may not meet.</summary>
    private static bool IsTransient(Exception e) => e switch
    {
        RaftGroupNotFoundException or RaftMemberNotFoundException => false,
        TimeoutException or OrleansException or OperationCanceledException => true,

        // The member's storage did not answer: it acknowledged nothing it could not persist, and answers again once
        // the database is back; another member, with storage of its own, may answer before.
        RaftStorageUnavailableException => true,

        // A member that failed or is deactivating answers InvalidOperationException and restarts on the next call.
        InvalidOperationException => true,
        _ => false,
    };

    /// <summary>The pause after <paramref name="round"/> fruitless rounds: doubling up to the maximum, half of it random.</summary>
    public TimeSpan Backoff(int round)
    {
        var initial = _options.InitialBackoff.TotalMilliseconds;
        var ceiling = Math.Min(_options.MaxBackoff.TotalMilliseconds, initial * Math.Pow(2, Math.Min(round, 20)));
        double jitter;
        lock (_gate)
        {
            jitter = _options.Random.NextDouble();
        }

        // Half fixed, half random: callers that failed together do not retry together.
        return TimeSpan.FromMilliseconds(ceiling / 2 * (1 + jitter));
    }

    private ulong LeaderOrNext()
    {
        lock (_gate)
        {
            return _leader != 0 ? _leader : NextLocked();
        }
    }

    private ulong Next()
    {
        lock (_gate)
        {
            return NextLocked();
        }
    }

    private ulong NextLocked()
    {
        var member = _members[_next];
        _next = (_next + 1) % _members.Length;
        return member;
    }

    private void Remember(ulong leader)
    {
        lock (_gate)
        {
            _leader = leader;
        }
    }

    private void Forget(ulong member)
    {
        lock (_gate)
        {
            if (_leader == member)
            {
                _leader = 0;
            }
        }
    }
}

/// <summary>How a <see cref="RaftMemberRouter"/> paces its attempts.</summary>
internal readonly record struct RaftRetrySettings(TimeSpan AttemptTimeout, TimeSpan InitialBackoff, TimeSpan MaxBackoff, Random Random);
