using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Diagnostics;

namespace OrleansRaft.Hosting.Members;

/// <summary>
/// When the silo stops, hands the leadership of every group led from this silo to a member on another silo, so that
/// clients see a leader change (one round trip) instead of an election timeout.
/// </summary>
/// <remarks>
/// It stops at <see cref="StopStage"/>, above <see cref="ServiceLifecycleStage.Active"/>: stages stop from the highest
/// down, so this runs while the silo is still a full member of the cluster and its grains still take calls (Orleans
/// deactivates grains when <see cref="ServiceLifecycleStage.BecomeActive"/> stops). The whole hand-off is bounded by
/// <see cref="OrleansRaftOptions.LeadershipHandoffTimeout"/>: a group whose transfer does not complete in time is left
/// to an election, which is what a silo that dies without stopping gets anyway.
/// </remarks>
internal sealed class RaftLeadershipHandoff(
    RaftLocalMembers members,
    IGrainFactory grains,
    IOptions<OrleansRaftOptions> options,
    ILogger<RaftLeadershipHandoff> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public const int StopStage = ServiceLifecycleStage.Active + 100;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RaftLeadershipHandoff), StopStage, _ => Task.CompletedTask, HandOffAsync);

    private async Task HandOffAsync(CancellationToken cancellationToken)
    {
        var timeout = options.Value.LeadershipHandoffTimeout;
        if (timeout <= TimeSpan.Zero)
        {
            return;
        }

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        var local = members.Snapshot().Select(RaftMemberKey.Parse).ToArray();
        await Task.WhenAll(local.Select(member => HandOffAsync(member, local, bound.Token)));
    }

    private async Task HandOffAsync(RaftMemberKey member, RaftMemberKey[] local, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var grain = grains.GetGrain<IRaftMemberGrain>(member.ToString());
        var excluded = local.Where(k => k.GroupId == member.GroupId).Select(k => k.MemberId).ToHashSet();

        // The core abandons a transfer that does not finish within an election timeout; then a target is picked again.
        var attempt = options.Value.TickInterval * (2 * options.Value.ElectionTicks);
        ulong target = 0;
        try
        {
            while (true)
            {
                var status = await grain.GetStatusAsync().WaitAsync(cancellationToken);
                if (status.Role != RaftMemberRole.Leader)
                {
                    if (target != 0)
                    {
                        RaftLogMessages.LeadershipHandedOff(logger, member.ToString(), target, status.Term, clock.ElapsedMilliseconds);
                    }

                    return;
                }

                target = await PickTargetAsync(member.GroupId, excluded, cancellationToken);
                if (target == 0)
                {
                    RaftLogMessages.LeadershipNotHandedOff(logger, member.ToString(), "no member on another silo answered");
                    return;
                }

                await grain.TransferLeadershipAsync(target).WaitAsync(cancellationToken);
                var deadline = clock.Elapsed + attempt;
                while (clock.Elapsed < deadline && (await grain.GetStatusAsync().WaitAsync(cancellationToken)).Role == RaftMemberRole.Leader)
                {
                    await Task.Delay(PollInterval, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            RaftLogMessages.LeadershipNotHandedOff(logger, member.ToString(), $"no transfer completed within {options.Value.LeadershipHandoffTimeout}");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            RaftLogMessages.LeadershipHandoffFailed(logger, member.ToString(), exception);
        }
    }

    /// <summary>The member, on another silo, that answered with the longest log; 0 when none answered.</summary>
    private async Task<ulong> PickTargetAsync(string groupId, HashSet<ulong> excluded, CancellationToken cancellationToken)
    {
        var group = await grains.GetGrain<IRaftGroupGrain>(groupId).GetStatusAsync().WaitAsync(cancellationToken);
        return group?.Members
            .Where(m => m.Status is not null && !excluded.Contains(m.MemberId))
            .OrderByDescending(m => m.Status!.LastIndex)
            .ThenBy(m => m.MemberId)
            .Select(m => m.MemberId)
            .FirstOrDefault() ?? 0;
    }
}
