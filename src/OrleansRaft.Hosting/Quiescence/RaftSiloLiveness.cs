using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Diagnostics;
using OrleansRaft.Hosting.Transport;

namespace OrleansRaft.Hosting.Quiescence;

/// <summary>
/// Failure detection for quiet groups, one per silo and shared by every group on it: a quiet group sends no heartbeats,
/// so its followers cannot notice by themselves that their leader died. Every
/// <see cref="OrleansRaftOptions.LivenessProbeInterval"/> this service probes the silos that lead this silo's quiet
/// followers (<see cref="RaftQuietFollowers"/>); a probe that fails, a silo port that refuses connections while a probe
/// waits, a probe that times out while the port does not accept connections either, or cluster membership declaring
/// the silo dead, wakes those followers with their leader suspected.
/// </summary>
/// <remarks>
/// A suspicion is a hint, never a verdict: a woken follower tells its leader, and a leader that is alive after all
/// answers with a heartbeat before the follower's election timeout's random part runs out. The cost is one probe per
/// probed silo and interval, whatever the number of groups.
/// </remarks>
[Reentrant]
internal sealed class RaftSiloLiveness : GrainService, IRaftSiloLiveness
{
    private readonly RaftQuietFollowers _followers;
    private readonly RaftSiloLivenessClient _client;
    private readonly IClusterMembershipService _membership;
    private readonly IGrainFactory _grains;
    private readonly IRaftMessageFilter _filter;
    private readonly OrleansRaftOptions _options;
    private readonly ILogger<RaftSiloLiveness> _logger;
    private readonly HashSet<SiloAddress> _probing = [];
    private readonly CancellationTokenSource _stopping = new();

    public RaftSiloLiveness(
        GrainId grainId,
        Silo silo,
        ILoggerFactory loggerFactory,
        RaftQuietFollowers followers,
        RaftSiloLivenessClient client,
        IClusterMembershipService membership,
        IGrainFactory grains,
        IRaftMessageFilter filter,
        IOptions<OrleansRaftOptions> options)
        : base(grainId, silo, loggerFactory)
    {
        _followers = followers;
        _client = client;
        _membership = membership;
        _grains = grains;
        _filter = filter;
        _options = options.Value;
        _logger = loggerFactory.CreateLogger<RaftSiloLiveness>();
    }

    public Task PingAsync() => Task.CompletedTask;

    protected override Task StartInBackground()
    {
        _ = ProbeAsync(_stopping.Token);
        _ = WatchMembershipAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public override Task Stop()
    {
        _stopping.Cancel();
        return base.Stop();
    }

    private async Task ProbeAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_options.LivenessProbeInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                foreach (var silo in _followers.LeaderSilos())
                {
                    if (!silo.Equals(Silo) && _probing.Add(silo))
                    {
                        _ = ProbeAsync(silo);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ProbeAsync(SiloAddress silo)
    {
        var port = Port.Unknown;
        try
        {
            if (_filter.RefusesProbe(silo))
            {
                Suspect(silo, "probe refused");
                return;
            }

            var clock = Stopwatch.StartNew();
            var silenced = !_filter.AnswersProbe(silo);
            var answer = silenced ? Task.Delay(Timeout.InfiniteTimeSpan, _stopping.Token) : _client.On(silo).PingAsync();

            // A ping not answered within an interval asks the silo's port. A dead process's port refuses connections
            // at once, while Orleans holds the ping as it reconnects. A port that accepts belongs to a live process that
            // is slow to answer, as a silo busy electing thousands of leaders is: suspecting it would wake its quiet
            // groups too and add to its load, so only Orleans' membership declaring it dead suspects it then.
            if (await Task.WhenAny(answer, Task.Delay(_options.LivenessProbeInterval, _stopping.Token)) != answer)
            {
                port = silenced ? Port.Unknown : await AskPortAsync(silo);
                if (port == Port.Refused)
                {
                    answer.Ignore();
                    Suspect(silo, "connection refused");
                    return;
                }
            }

            var left = _options.LivenessProbeTimeout - clock.Elapsed;
            await answer.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (TimeoutException) when (port == Port.Accepts)
        {
            RaftLogMessages.LeaderSiloSlow(_logger, silo.ToString(), _options.LivenessProbeTimeout);
        }
        catch (Exception e)
        {
            Suspect(silo, e is TimeoutException ? $"no answer within {_options.LivenessProbeTimeout}" : e.GetType().Name);
        }
        finally
        {
            _probing.Remove(silo);
        }
    }

    /// <summary>What a silo's port said to a TCP connection.</summary>
    private enum Port
    {
        /// <summary>Not asked, or no answer within the probe's timeout (as from a host cut off the network).</summary>
        Unknown,

        /// <summary>Refused: no process listens there.</summary>
        Refused,

        /// <summary>Accepted: a process listens there.</summary>
        Accepts,
    }

    /// <summary>Opens (and closes at once) a TCP connection to <paramref name="silo"/>'s silo port, within the probe's timeout.</summary>
    private async Task<Port> AskPortAsync(SiloAddress silo)
    {
        using var socket = new Socket(silo.Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        bound.CancelAfter(_options.LivenessProbeTimeout);
        try
        {
            await socket.ConnectAsync(silo.Endpoint, bound.Token);
            return Port.Accepts;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode == SocketError.ConnectionRefused ? Port.Refused : Port.Unknown;
        }
        catch (OperationCanceledException)
        {
            return Port.Unknown;
        }
    }

    private async Task WatchMembershipAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var snapshot in _membership.MembershipUpdates.WithCancellation(stopping))
            {
                foreach (var (silo, member) in snapshot.Members)
                {
                    if (member.Status == SiloStatus.Dead)
                    {
                        Suspect(silo, "declared dead");
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Suspect(SiloAddress silo, string reason)
    {
        var followers = _followers.TakeFollowersOf(silo);
        if (followers.Length == 0)
        {
            return;
        }

        RaftLogMessages.LeaderSiloSuspected(_logger, silo.ToString(), reason, followers.Length);
        foreach (var member in followers)
        {
            WakeAsync(member, silo).Ignore();
        }
    }

    /// <summary>
    /// Wakes one quiet follower. A wake that fails (the call timed out on a silo flooded with them, say) lists the
    /// follower again, unless it listed itself anew meanwhile, so that the next probe of the silo wakes it again: a
    /// follower left quiet under a dead leader would keep its group without one until a client called.
    /// </summary>
    private async Task WakeAsync(string member, SiloAddress silo)
    {
        try
        {
            await _grains.GetGrain<IRaftMemberGrain>(member).WakeAsync(leaderSuspected: true);
        }
        catch (Exception e) when (!_stopping.IsCancellationRequested)
        {
            RaftLogMessages.WakeFailed(_logger, member, e.Message);
            _followers.ListIfAbsent(member, silo);
        }
    }
}
