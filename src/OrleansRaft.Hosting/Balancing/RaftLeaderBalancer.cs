using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Diagnostics;
using OrleansRaft.Hosting.Members;

namespace OrleansRaft.Hosting.Balancing;

/// <summary>
/// Spreads leadership over the silos: every <see cref="OrleansRaftOptions.LeaderBalanceInterval"/> (jittered) a silo
/// asks the other active silos how many groups they lead, and when it leads more than its share (the total over the
/// silos that answered, rounded up) it hands the surplus, a few groups per round, to members of the same groups on
/// the silos below their share. A silo that joins, or comes back after a failure, so takes leaders as soon as it runs
/// members of groups that other silos lead; before that, each round moves members that share a silo with another
/// member of their group to a silo that runs none (see <see cref="SpreadMembersAsync"/>).
/// </summary>
/// <remarks>
/// Leadership moves by Raft's own transfer, which waits until the target holds the whole log: no write is lost and
/// clients follow the new leader. Counts are read without coordination, so two silos may send leaders to the same
/// silo in one round; that silo then holds more than its share and gives the extra back in a later round. A silo
/// that does not answer within <see cref="ProbeTimeout"/> is left out of the round.
/// </remarks>
[Reentrant]
internal sealed partial class RaftLeaderBalancer : GrainService, IRaftLeaderBalancer
{
    /// <summary>At most this many leaders leave a silo per round, so that a large imbalance evens out without a storm of elections.</summary>
    internal const int MaxMovesPerRound = 8;

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    private readonly RaftLocalMembers _members;
    private readonly RaftLeaderBalancerClient _client;
    private readonly IClusterMembershipService _membership;
    private readonly IGrainFactory _grains;
    private readonly OrleansRaftOptions _options;
    private readonly ILogger<RaftLeaderBalancer> _logger;
    private readonly CancellationTokenSource _stopping = new();

    public RaftLeaderBalancer(
        GrainId grainId,
        Silo silo,
        ILoggerFactory loggerFactory,
        RaftLocalMembers members,
        RaftLeaderBalancerClient client,
        IClusterMembershipService membership,
        IGrainFactory grains,
        IOptions<OrleansRaftOptions> options)
        : base(grainId, silo, loggerFactory)
    {
        _members = members;
        _client = client;
        _membership = membership;
        _grains = grains;
        _options = options.Value;
        _logger = loggerFactory.CreateLogger<RaftLeaderBalancer>();
    }

    public Task<int> CountLeadersAsync() => Task.FromResult(_members.Leaders().Count);

    protected override Task StartInBackground()
    {
        if (_options.LeaderBalanceInterval is { } interval)
        {
            _ = RunAsync(interval, _stopping.Token);
        }

        return Task.CompletedTask;
    }

    public override Task Stop()
    {
        _stopping.Cancel();
        return base.Stop();
    }

    private async Task RunAsync(TimeSpan interval, CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                // Jittered, so that the silos' rounds do not line up and send leaders to one silo at once.
                await Task.Delay(interval * (0.75 + Random.Shared.NextDouble() / 2), stopping);
                await RoundAsync(SpreadMembersAsync, stopping);
                await RoundAsync(BalanceOnceAsync, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Runs one part of a round; its failure ends that part only, and the next round tries again.</summary>
    private async Task RoundAsync(Func<CancellationToken, Task> part, CancellationToken stopping)
    {
        try
        {
            await part(stopping);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (RaftExpectedFailures.IsExpected(e))
            {
                RaftLogMessages.LeaderBalanceInterrupted(_logger, e.Message);
            }
            else
            {
                RaftLogMessages.LeaderBalanceFailed(_logger, e);
            }
        }
    }

    private async Task BalanceOnceAsync(CancellationToken stopping)
    {
        var mine = _members.Leaders();
        if (mine.Count == 0)
        {
            return;
        }

        var self = Silo;
        var others = _membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(self))
            .Select(m => m.SiloAddress)
            .ToArray();
        var counts = await Task.WhenAll(others.Select(async silo =>
        {
            try
            {
                return (Silo: silo, Leaders: (int?)await _client.On(silo).CountLeadersAsync().WaitAsync(ProbeTimeout, stopping));
            }
            catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                return (Silo: silo, Leaders: (int?)null);
            }
        }));
        var answered = counts.Where(c => c.Leaders is not null).Select(c => (c.Silo, Leaders: c.Leaders!.Value)).ToList();
        var total = mine.Count + answered.Sum(c => c.Leaders);
        var share = (total + answered.Count) / (answered.Count + 1);
        var surplus = Math.Min(mine.Count - share, MaxMovesPerRound);
        if (surplus <= 0)
        {
            return;
        }

        // Room on each silo below its share, the emptiest first.
        var room = answered.Where(c => c.Leaders < share).OrderBy(c => c.Leaders).ToDictionary(c => c.Silo.ToString(), c => share - c.Leaders);
        var moved = 0;
        foreach (var key in mine)
        {
            if (moved == surplus || room.Count == 0)
            {
                break;
            }

            if (await HandOffAsync(RaftMemberKey.Parse(key), room, stopping))
            {
                moved++;
            }
        }

        if (moved > 0)
        {
            RaftLogMessages.LeadersBalanced(_logger, self, moved, mine.Count, share);
        }
    }

    /// <summary>Transfers the group's leadership to its member on the silo with the most room that runs one; false when none does.</summary>
    private async Task<bool> HandOffAsync(RaftMemberKey leader, Dictionary<string, int> room, CancellationToken stopping)
    {
        var group = await _grains.GetGrain<IRaftGroupGrain>(leader.GroupId).GetStatusAsync().WaitAsync(stopping);
        var target = group?.Members
            .Where(m => m.MemberId != leader.MemberId && m.Status is { Role: RaftMemberRole.Follower } s && room.ContainsKey(s.Silo))
            .OrderByDescending(m => room[m.Status!.Silo])
            .ThenByDescending(m => m.Status!.LastIndex)
            .FirstOrDefault();
        if (target is null || !await _grains.GetGrain<IRaftMemberGrain>(leader.ToString()).TransferLeadershipAsync(target.MemberId).WaitAsync(stopping))
        {
            return false;
        }

        var silo = target.Status!.Silo;
        if (--room[silo] == 0)
        {
            room.Remove(silo);
        }

        return true;
    }
}
