using OrleansRaft.Core;
using OrleansRaft.Hosting.Diagnostics;
using OrleansRaft.Hosting.Placement;

namespace OrleansRaft.Hosting.Members;

/// <summary>
/// A member moved to another silo by Orleans' migration (see <see cref="Balancing.RaftLeaderBalancer"/>): nothing of it
/// travels, since its log is in storage; the activation that arrives loads it, at once.
/// </summary>
internal sealed partial class RaftMemberGrain : IGrainMigrationParticipant
{
    /// <summary>Set when this activation arrived by migration: it starts without waiting for a call, so that its group has it back.</summary>
    private bool _migratedHere;

    /// <summary>
    /// Called by the leader balancer off the activation's scheduler: asks this member, if it still follows, to move once
    /// it is idle, placed away from <paramref name="avoidSilos"/> (see <see cref="RaftGroupPlacementDirector.AvoidSilosKey"/>).
    /// The activation here ends either way: should placement find no such silo after all (one that left meanwhile), the
    /// next activation is placed as a first one would be. False once deactivation began.
    /// </summary>
    internal bool TryMoveAway(string[] avoidSilos)
    {
        if (_deactivating)
        {
            return false;
        }

        GrainContext.Scheduler.QueueAction(() =>
        {
            if (_failure is not null || _node is not { Role: RaftRole.Follower })
            {
                return;
            }

            RaftLogMessages.MemberMoving(_logger, _name, string.Join(", ", avoidSilos));
            GrainContext.Migrate(new Dictionary<string, object> { [RaftGroupPlacementDirector.AvoidSilosKey] = avoidSilos });
        });
        return true;
    }

    public void OnDehydrate(IDehydrationContext dehydrationContext)
    {
    }

    public void OnRehydrate(IRehydrationContext rehydrationContext) => _migratedHere = true;
}
