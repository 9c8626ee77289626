using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.Etcd.Diagnostics;
using OrleansRaft.Etcd.Hosting;
using OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Etcd;

/// <summary>
/// What the gateway holds for one key-value group: its <see cref="KvClient"/> (connected on first use, so the group
/// may be created after the gateway starts; one client session per group, so that sessions, leases and watches of two
/// groups never mix), etcd's ids of the group, and the members' Raft status that response headers are filled from.
/// </summary>
/// <remarks>
/// A header's <c>raft_term</c> is the serving member's term in the latest group status. That status is refreshed in
/// the background once it is older than <see cref="EtcdGatewayOptions.StatusRefreshInterval"/>, and at once when a
/// member that it does not name as leader serves a leader's request (a new leader, so a new term).
/// </remarks>
internal sealed class EtcdGroup : IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly EtcdGatewayOptions _options;
    private readonly ILogger _logger;
    private readonly string _clusterName;
    private readonly SemaphoreSlim _connect = new(1, 1);
    private readonly ConcurrentDictionary<ulong, ulong> _memberIds = new();
    private volatile KvClient? _client;
    private volatile RaftGroupStatus? _status;
    private long _statusAt;
    private readonly TimeProvider _time;
    private long _usedAt;
    private readonly Lock _refreshGate = new();
    private Task<RaftGroupStatus>? _refresh;

    public EtcdGroup(IGrainFactory grains, EtcdGatewayOptions options, ILogger logger, TimeProvider time, string clusterName, string groupId, string? localSilo)
    {
        LocalSilo = localSilo;
        _grains = grains;
        _time = time;
        _usedAt = time.GetTimestamp();
        _options = options;
        _logger = logger;
        _clusterName = clusterName;
        GroupId = groupId;
        ClusterId = EtcdIds.Cluster(_clusterName, GroupId);
    }

    public string GroupId { get; }

    /// <summary>The silo the gateway runs in, as members report theirs (<see cref="RaftMemberStatus.Silo"/>); null outside the silos.</summary>
    public string? LocalSilo { get; }

    /// <summary>etcd's cluster id of the group, derived from the cluster name and the group id.</summary>
    public ulong ClusterId { get; }

    public EtcdGatewayOptions Options => _options;

    public ILogger Logger => _logger;

    /// <summary>The connected client; only for a group returned by <see cref="EtcdGateway.GroupAsync"/>.</summary>
    public KvClient Client => _client ?? throw new InvalidOperationException($"The gateway's client of group '{GroupId}' is not connected.");

    /// <summary>How long ago a request last asked for this group.</summary>
    public TimeSpan Idle => _time.GetElapsedTime(Interlocked.Read(ref _usedAt));

    public void Touch() => Interlocked.Exchange(ref _usedAt, _time.GetTimestamp());

    /// <summary>The latest status of the group's members, or null before the first one arrived.</summary>
    public RaftGroupStatus? Status => _status;

    /// <summary>The group's client, connected on first use; throws <see cref="RaftGroupNotFoundException"/> while the group does not exist.</summary>
    public async ValueTask<KvClient> ClientAsync(CancellationToken cancellationToken)
    {
        if (_client is { } connected)
        {
            return connected;
        }

        await _connect.WaitAsync(cancellationToken);
        try
        {
            if (_client is null)
            {
                var client = await KvClient.ConnectAsync(_grains, GroupId, _options.Client).WaitAsync(_options.Client.RequestTimeout, cancellationToken);
                try
                {
                    await RefreshStatusAsync(cancellationToken);
                }
                catch (Exception e) when (e is TimeoutException or OrleansException or RaftStorageUnavailableException)
                {
                    // Headers carry term 0 until a refresh succeeds.
                    EtcdLogMessages.StatusRefreshFailedOrInterrupted(_logger, GroupId, e);
                }

                _client = client;
                EtcdLogMessages.Connected(_logger, GroupId, string.Join(",", client.Members), ClusterId);
            }

            return _client;
        }
        finally
        {
            _connect.Release();
        }
    }

    /// <summary>The member that <paramref name="status"/> finds on the gateway's silo, answering; null when there is none.</summary>
    public RaftMemberView? LocalMember(RaftGroupStatus? status) =>
        LocalSilo is null || status is null ? null : status.Members.FirstOrDefault(m => m.Status?.Silo == LocalSilo);

    /// <summary>One member of the group as it serves the store, without retries.</summary>
    public KvMember Member(ulong raftMemberId) => KvMember.Of(_grains, GroupId, raftMemberId);

    /// <summary>etcd's member id of Raft member <paramref name="raftMemberId"/>; 0 for 0 (unknown).</summary>
    public ulong EtcdMemberId(ulong raftMemberId) =>
        raftMemberId == 0 ? 0 : _memberIds.GetOrAdd(raftMemberId, static (id, self) => EtcdIds.Member(self._clusterName, self.GroupId, id), this);

    /// <summary>
    /// A response header for a request that <paramref name="raftMemberId"/> served at store revision
    /// <paramref name="revision"/>. <paramref name="asLeader"/> says that the member served as the leader. The header
    /// speaks for the gateway's own member (see <see cref="LocalMember"/>) when it has one, as an etcd member's does
    /// for a request it forwarded to its leader, else for the member that served; its term is never below the
    /// serving leader's.
    /// </summary>
    public ResponseHeader Header(ulong raftMemberId, long revision, bool asLeader = false)
    {
        var status = _status;
        var age = Stopwatch.GetElapsedTime(Interlocked.Read(ref _statusAt));
        var newLeader = asLeader && raftMemberId != 0 && status?.Leader != raftMemberId;

        // A new leader refreshes sooner, but not on every request while the status lags behind an election.
        if (status is null || age > _options.StatusRefreshInterval || (newLeader && age > _options.StatusRefreshInterval / 10))
        {
            RefreshInBackground();
        }

        var speaker = LocalMember(status)?.MemberId ?? raftMemberId;
        return new ResponseHeader
        {
            ClusterId = ClusterId,
            MemberId = EtcdMemberId(speaker),
            Revision = revision,
            RaftTerm = Math.Max(TermOf(status, speaker), asLeader ? TermOf(status, raftMemberId) : 0),
        };
    }

    /// <summary>
    /// A response header for a request that <paramref name="raftMemberId"/> served as the leader. When the latest status
    /// does not name it as the leader, leadership moved and the term with it: the status is refreshed before the header
    /// is filled, by a refresh that started after the member served (each member answers for itself at the time it is
    /// asked), so the header carries a term the member held as leader.
    /// </summary>
    public async ValueTask<ResponseHeader> LeaderHeaderAsync(ulong raftMemberId, long revision, CancellationToken cancellationToken)
    {
        try
        {
            // A refresh already under way may have asked the member before it led: a second one starts after this call.
            for (var round = 0; round < 2 && raftMemberId != 0 && _status?.Leader != raftMemberId; round++)
            {
                await SharedRefreshAsync().WaitAsync(_options.Client.AttemptTimeout, cancellationToken);
            }
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or RaftGroupNotFoundException or RaftStorageUnavailableException)
        {
            EtcdLogMessages.StatusRefreshFailedOrInterrupted(_logger, GroupId, e);
        }

        return Header(raftMemberId, revision, asLeader: true);
    }

    /// <summary>Asks every member for its status now (each within a short bound) and keeps the answer for headers.</summary>
    public async Task<RaftGroupStatus> RefreshStatusAsync(CancellationToken cancellationToken)
    {
        var status = await _grains.GetGrain<IRaftGroupGrain>(GroupId).GetStatusAsync().WaitAsync(_options.Client.RequestTimeout, cancellationToken)
            ?? throw new RaftGroupNotFoundException(GroupId);
        _status = status;
        Interlocked.Exchange(ref _statusAt, Stopwatch.GetTimestamp());
        return status;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is { } client)
        {
            await client.DisposeAsync();
        }

        _connect.Dispose();
    }

    /// <summary>The member's own term when it answered the last status request, else the highest term any member reported.</summary>
    private static ulong TermOf(RaftGroupStatus? status, ulong raftMemberId)
    {
        if (status is null)
        {
            return 0;
        }

        // Members are asked one by one: the leader the status names holds at least the status's term, even if it was
        // asked a moment before it won.
        var floor = status.Leader == raftMemberId ? status.Term : 0;
        foreach (var member in status.Members)
        {
            if (member.MemberId == raftMemberId && member.Status is { } own)
            {
                return Math.Max(own.Term, floor);
            }
        }

        return status.Term;
    }

    /// <summary>A refresh nobody waits for; its failure is logged by <see cref="RefreshLoggedAsync"/>.</summary>
    private void RefreshInBackground() =>
        SharedRefreshAsync().ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    /// <summary>The refresh under way, or a new one: concurrent callers share one status request.</summary>
    private Task<RaftGroupStatus> SharedRefreshAsync()
    {
        lock (_refreshGate)
        {
            if (_refresh is { IsCompleted: false } running)
            {
                return running;
            }

            return _refresh = RefreshLoggedAsync();
        }
    }

    private async Task<RaftGroupStatus> RefreshLoggedAsync()
    {
        try
        {
            return await RefreshStatusAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            // Try again once the interval has passed, not on the next request.
            Interlocked.Exchange(ref _statusAt, Stopwatch.GetTimestamp());
            EtcdLogMessages.StatusRefreshFailedOrInterrupted(_logger, GroupId, e);
            throw;
        }
    }
}
