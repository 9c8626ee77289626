using Microsoft.Extensions.Logging;

namespace OrleansRaft.Hosting.Diagnostics;

/// <summary>The log messages of the member and group grains.</summary>
internal static partial class RaftLogMessages
{
    [LoggerMessage(Level = LogLevel.Information,
        Message = "Raft member {Member} started on {Silo}: term {Term}, snapshot at {SnapshotIndex}, last index {LastIndex}, commit {Commit}.")]
    public static partial void MemberStarted(ILogger logger, string member, string silo, ulong term, ulong snapshotIndex, ulong lastIndex, ulong commit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft member {Member} bootstrapped the group's initial membership {Configuration}.")]
    public static partial void Bootstrapped(ILogger logger, string member, string configuration);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft member {Member} is now {Role} in term {Term} (leader {Leader}).")]
    public static partial void RoleChanged(ILogger logger, string member, string role, ulong term, ulong leader);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Raft member {Member} took a snapshot at {Index} ({Bytes} bytes) and compacted its log.")]
    public static partial void Compacted(ILogger logger, string member, ulong index, int bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft member {Member} installed a snapshot at {Index} from its leader.")]
    public static partial void SnapshotInstalled(ILogger logger, string member, ulong index);

    [LoggerMessage(Level = LogLevel.Error, Message = "Raft member {Member} failed and deactivates ({Reason}); its next activation reloads the log.")]
    public static partial void MemberFailed(ILogger logger, string member, string reason, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Raft member {Member} could not start: its storage is unavailable ({Reason}); the next call tries again.")]
    public static partial void StorageUnavailable(ILogger logger, string member, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A call to {Grain} failed because its storage is unavailable ({Reason}); the caller was told to retry.")]
    public static partial void CallFailedOnStorage(ILogger logger, string grain, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Raft member {Member} could not deliver a snapshot to member {To}.")]
    public static partial void SnapshotSendFailed(ILogger logger, string member, ulong to, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft member {Member} could not deliver a snapshot to member {To} ({Reason}); it sends one again once the member answers.")]
    public static partial void SnapshotSendInterrupted(ILogger logger, string member, ulong to, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft member {Member} stops: its group is being deleted.")]
    public static partial void MemberStopping(ILogger logger, string member);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft member {Member} deleted its durable state.")]
    public static partial void MemberDestroyed(ILogger logger, string member);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft member {Member} ignored {Count} messages from a peer: {Reason}")]
    public static partial void IgnoredMessages(ILogger logger, string member, int count, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft group {Group} created with members {Members}, state machine '{StateMachineType}'.")]
    public static partial void GroupCreated(ILogger logger, string group, string members, string stateMachineType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft group {Group} deleted.")]
    public static partial void GroupDeleted(ILogger logger, string group);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Raft member {Member} proposed no clock tick in term {Term}: {Reason}.")]
    public static partial void LeaderTickFailed(ILogger logger, string member, ulong term, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft member {Member} handed its leadership to member {Target} (now term {Term}) in {Milliseconds} ms, as its silo stops.")]
    public static partial void LeadershipHandedOff(ILogger logger, string member, ulong target, ulong term, long milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft member {Member} still leads as its silo stops: {Reason}; its group elects a leader after an election timeout.")]
    public static partial void LeadershipNotHandedOff(ILogger logger, string member, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Raft member {Member} could not hand its leadership off as its silo stops; its group elects a leader after an election timeout.")]
    public static partial void LeadershipHandoffFailed(ILogger logger, string member, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft member {Member} could not hand its leadership off as its silo stops ({Reason}); its group elects a leader after an election timeout.")]
    public static partial void LeadershipHandoffInterrupted(ILogger logger, string member, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft member {Member} proposed the membership change '{Change}' at index {Index}.")]
    public static partial void MembershipChangeProposed(ILogger logger, string member, string change, ulong index);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft member {Member} applied the membership {Configuration} at index {Index}.")]
    public static partial void ConfigurationApplied(ILogger logger, string member, string configuration, ulong index);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft member {Member} was removed from its group; it stays idle until the admin grain deletes its state.")]
    public static partial void RemovedFromGroup(ILogger logger, string member);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Raft member {Member} could not update the group record with the membership at index {Index}.")]
    public static partial void MembershipNotPersisted(ILogger logger, string member, ulong index, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Raft member {Member} quiets its group in term {Term} at index {Index}.")]
    public static partial void Quiesced(ILogger logger, string member, ulong term, ulong index);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} is suspected ({Reason}); waking {Count} quiet Raft followers of its leaders.")]
    public static partial void LeaderSiloSuspected(ILogger logger, string silo, string reason, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Silo {Silo} did not answer a liveness probe within {Timeout}, but its port accepts connections: it is slow, not suspected.")]
    public static partial void LeaderSiloSlow(ILogger logger, string silo, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft member {Member} went quiet in term {Term} without knowing the silo of its leader {Leader}; it wakes its group.")]
    public static partial void QuietWithoutLeaderSilo(ILogger logger, string member, ulong term, ulong leader);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waking quiet Raft follower {Member} failed ({Reason}); the next probe of its leader's silo tries again.")]
    public static partial void WakeFailed(ILogger logger, string member, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} led {Leading} Raft groups, above its share of {Share}; it handed {Moved} of them to members on other silos.")]
    public static partial void LeadersBalanced(ILogger logger, SiloAddress silo, int moved, int leading, int share);

    [LoggerMessage(Level = LogLevel.Information, Message = "Quiet Raft member {Member} could not check that it still holds its log ({Reason}); it answers from memory meanwhile.")]
    public static partial void ClaimUnchecked(ILogger logger, string member, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} ran more than one member of {Crowded} Raft groups; it asked {Moved} of those members to move to silos that run none of their group.")]
    public static partial void MembersSpread(ILogger logger, SiloAddress silo, int moved, int crowded);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft member {Member} moves to another silo, away from the silos of its group's other members ({Silos}).")]
    public static partial void MemberMoving(ILogger logger, string member, string silos);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not send {Count} coalesced Raft message envelopes to silo {Silo}; Raft sends again what matters.")]
    public static partial void CoalescedSendFailed(ILogger logger, SiloAddress silo, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A round of leader balancing failed; the next round tries again.")]
    public static partial void LeaderBalanceFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "A round of leader balancing was cut short ({Reason}); the next round tries again.")]
    public static partial void LeaderBalanceInterrupted(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Raft member {Member} ignores Raft messages from {From}, which is not a member of its group.")]
    public static partial void IgnoredNonMember(ILogger logger, string member, ulong from);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Only {Active} of {Expected} silos became active within {Timeout}; creating the configured Raft groups now, so some members may share a silo.")]
    public static partial void StartupFewSilos(ILogger logger, int active, int expected, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft group {Group} is ready with members {Members}, state machine '{StateMachineType}'.")]
    public static partial void StartupGroupReady(ILogger logger, string group, string members, string stateMachineType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Raft group {Group} exists with another membership or state machine than the configured members {Members} and state machine '{StateMachineType}'; it is left as it is.")]
    public static partial void StartupGroupDiffers(ILogger logger, string group, string members, string stateMachineType);

    [LoggerMessage(Level = LogLevel.Error, Message = "The configured Raft group {Group} is invalid: {Reason}")]
    public static partial void StartupGroupInvalid(ILogger logger, string group, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The configured Raft group {Group} was not created: {Reason}")]
    public static partial void StartupGroupRefused(ILogger logger, string group, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Creating the configured Raft group {Group} did not succeed yet ({Reason}); retrying in {Delay}.")]
    public static partial void StartupGroupRetry(ILogger logger, string group, TimeSpan delay, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Creating the configured Raft group {Group} failed; retrying in {Delay}.")]
    public static partial void StartupGroupFailed(ILogger logger, string group, TimeSpan delay, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Raft member {Member} could not introduce itself to member {Peer} ({Reason}); messages to it go by grain call until the next round.")]
    public static partial void PeerIntroductionFailed(ILogger logger, string member, ulong peer, string reason);
}
