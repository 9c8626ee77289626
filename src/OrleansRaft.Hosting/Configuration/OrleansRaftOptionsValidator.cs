using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace OrleansRaft.Hosting.Configuration;

/// <summary>Rejects settings that cannot work, when the silo starts, with a message naming the setting.</summary>
internal sealed class OrleansRaftOptionsValidator(IOptions<OrleansRaftOptions> options) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        var errors = Validate(options.Value);
        if (errors.Count > 0)
        {
            throw new OrleansConfigurationException("Invalid OrleansRaftOptions: " + string.Join(" ", errors));
        }
    }

    public static List<string> Validate(OrleansRaftOptions o)
    {
        var errors = new List<string>();
        void Check(bool ok, string message)
        {
            if (!ok)
            {
                errors.Add(message);
            }
        }

        Check(!string.IsNullOrWhiteSpace(o.StorageProviderName), "StorageProviderName must name an IGrainStorage provider.");
        Check(o.TickInterval >= TimeSpan.FromMilliseconds(1), $"TickInterval must be at least 1 ms, not {o.TickInterval}.");
        Check(o.HeartbeatTicks >= 1, $"HeartbeatTicks must be at least 1, not {o.HeartbeatTicks}.");
        Check(o.ElectionTicks > o.HeartbeatTicks,
            $"ElectionTicks ({o.ElectionTicks}) must be greater than HeartbeatTicks ({o.HeartbeatTicks}): a leader must heartbeat before followers time out.");
        Check(o.ElectionTicks <= 1_000_000, $"ElectionTicks must be at most 1000000, not {o.ElectionTicks}.");
        Check(o.MaxBytesPerMessage >= 1, $"MaxBytesPerMessage must be positive, not {o.MaxBytesPerMessage}.");
        Check(o.MaxInflightMessages >= 1, $"MaxInflightMessages must be positive, not {o.MaxInflightMessages}.");
        Check(o.MaxCommittedBytesPerApply >= 1, $"MaxCommittedBytesPerApply must be positive, not {o.MaxCommittedBytesPerApply}.");
        Check(o.MaxUncommittedBytes >= 0, $"MaxUncommittedBytes must not be negative (0 means no bound), not {o.MaxUncommittedBytes}.");
        Check(o.SnapshotEveryEntries >= 0, $"SnapshotEveryEntries must not be negative (0 means never), not {o.SnapshotEveryEntries}.");
        Check(o.SnapshotLogRatio is >= 0 and <= 1_000, $"SnapshotLogRatio must be between 0 and 1000 (0 means by count alone), not {o.SnapshotLogRatio}.");
        Check(o.GroupCommitWindow >= TimeSpan.Zero && o.GroupCommitWindow < o.TickInterval,
            $"GroupCommitWindow must not be negative (0 turns it off) and must be shorter than TickInterval ({o.TickInterval}), not {o.GroupCommitWindow}.");
        Check(o.RequestTimeout > TimeSpan.Zero, $"RequestTimeout must be positive, not {o.RequestTimeout}.");
        Check(o.ObserverExpiration > TimeSpan.Zero, $"ObserverExpiration must be positive, not {o.ObserverExpiration}.");
        Check(o.LeadershipHandoffTimeout >= TimeSpan.Zero, $"LeadershipHandoffTimeout must not be negative (0 skips the hand-off), not {o.LeadershipHandoffTimeout}.");
        Check(o.QuiesceAfter is not { } quiet || quiet >= TimeSpan.Zero, $"QuiesceAfter must not be negative (null keeps groups awake), not {o.QuiesceAfter}.");
        Check(o.LivenessProbeInterval >= TimeSpan.FromMilliseconds(1), $"LivenessProbeInterval must be at least 1 ms, not {o.LivenessProbeInterval}.");
        Check(o.LeaderBalanceInterval is null || o.LeaderBalanceInterval >= TimeSpan.FromMilliseconds(100),
            $"LeaderBalanceInterval must be at least 100 ms, or empty to never move leaders, not {o.LeaderBalanceInterval}.");
        Check(o.LivenessProbeTimeout > TimeSpan.Zero, $"LivenessProbeTimeout must be positive, not {o.LivenessProbeTimeout}.");
        return errors;
    }
}
