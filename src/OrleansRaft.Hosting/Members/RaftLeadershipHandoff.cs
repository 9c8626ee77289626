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
        // Only the members that lead, as each last knew it: asking every member for its status would cost a quiet one a
        // read of its storage, thousands at once while the silo stops.
        var local = members.Leaders().Select(RaftMemberKey.Parse).ToArray();
        await Task.WhenAll(local.Select(member => HandOffAsync(member, bound.Token)));
    }

    private async Task HandOffAsync(RaftMemberKey member, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var grain = grains.GetGrain<IRaftMemberGrain>(member.ToString());

        // Targets that refused a transfer are not asked again within this hand-off.
        var refused = new HashSet<ulong>();

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

                target = await PickTargetAsync(member.GroupId, status.Silo, refused, cancellationToken);
                if (target == 0)
                {
                    RaftLogMessages.LeadershipNotHandedOff(logger, member.ToString(), "no member on another silo answered");
                    return;
                }

                if (!await grain.TransferLeadershipAsync(target).WaitAsync(cancellationToken))
                {
                    refused.Add(target);
                    continue;
                }

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
        catch (Exception exception) when (exception is not OperationCanceledException && RaftExpectedFailures.IsExpected(exception))
        {
            RaftLogMessages.LeadershipHandoffInterrupted(logger, member.ToString(), exception.Message);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            RaftLogMessages.LeadershipHandoffFailed(logger, member.ToString(), exception);
        }
    }

    /// <summary>
    /// The member that answered with the longest log from a silo other than <paramref name="stoppingSilo"/> (the
    /// leader's, as its status names it); 0 when none did. Judged by where members run now, not by the members this
    /// silo started: asking for a status may start a member, even on this very silo.
    /// </summary>
    private async Task<ulong> PickTargetAsync(string groupId, string stoppingSilo, HashSet<ulong> refused, CancellationToken cancellationToken)
    {
        var group = await grains.GetGrain<IRaftGroupGrain>(groupId).GetStatusAsync().WaitAsync(cancellationToken);
        return group?.Members
            .Where(m => m.Status is not null && m.Status.Silo != stoppingSilo && !refused.Contains(m.MemberId))
            .OrderByDescending(m => m.Status!.LastIndex)
            .ThenBy(m => m.MemberId)
            .Select(m => m.MemberId)
            .FirstOrDefault() ?? 0;
    }
}
