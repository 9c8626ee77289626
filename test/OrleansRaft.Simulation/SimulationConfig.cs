using OrleansRaft.Core;

namespace OrleansRaft.Simulation;

/// <summary>What to simulate. Everything else is drawn from <see cref="Seed"/>.</summary>
public sealed record SimulationConfig(long Seed, int Nodes = 3, FaultMode Faults = FaultMode.All, int Duration = 6000)
{
    /// <summary>
    /// Change the membership during the faulty phase: add learners, promote them, remove voters (the leader
    /// included) and so replace members, keeping about <see cref="Nodes"/> voters. A removed member keeps running
    /// until its removal is committed, and for a while after, before it is deleted.
    /// </summary>
    public bool Membership { get; init; }

    /// <summary>
    /// Let idle groups quiesce: a leader with no client request in flight tries to quiet its group after every tick,
    /// clients pause now and then for longer than an election timeout, and a simulated liveness service (the host's
    /// silo pings and cluster membership) wakes quiet followers whose leader is down or cut off, with lost, late and
    /// spurious signals. Its random draws come from a source of their own, so that a run without it draws exactly
    /// what it always did.
    /// </summary>
    public bool Quiescence { get; init; }

    /// <summary>Protocol bugs to switch on in every member (for proving the simulator catches them).</summary>
    internal InjectedBugs Bugs { get; init; }

    /// <summary>
    /// A host bug, for proving that the linearizability check catches it: members answer reads from their own state
    /// machine at once, without ReadIndex, so a deposed leader or a lagging follower serves stale values.
    /// </summary>
    internal bool ServeReadsLocally { get; init; }

    /// <summary>
    /// A host bug, for proving that the liveness check catches it: with <see cref="Quiescence"/>, the liveness service
    /// never wakes a quiet follower, so a group whose leader dies while quiet has nobody to elect a new one.
    /// </summary>
    internal bool IgnoreLivenessSignals { get; init; }

    /// <summary>Write every event to this sink, for replaying a failing seed by eye.</summary>
    public Action<string>? Trace { get; init; }
}

/// <summary>The knobs of one run, drawn from its seed so that a seed explores its own corner of the space.</summary>
internal sealed record SimulationParameters(
    bool PreVote,
    bool CheckQuorum,
    ulong MaxSizePerMessage,
    int MaxInflight,
    int TickInterval,
    int MaxDelay,
    double DropRate,
    double DuplicateRate,
    int MaxDiskLatency,
    int Clients,
    int Keys,
    int SnapshotEvery,
    int PartitionEvery,
    int CrashEvery,
    int CrashAfterCommitOneIn,
    bool LeaderSendsBeforeWrite)
{
    public static SimulationParameters Draw(Random random, FaultMode faults)
    {
        var network = faults.HasFlag(FaultMode.Network);
        var crash = faults.HasFlag(FaultMode.Crash);
        return new SimulationParameters(
            PreVote: random.Next(4) != 0,
            CheckQuorum: random.Next(4) != 0,
            // Small messages force long catch-ups in many steps, where commit-rule bugs show.
            MaxSizePerMessage: random.Next(2) == 0 ? (ulong)random.Next(30, 120) : 64 * 1024,
            MaxInflight: random.Next(1, 9),
            TickInterval: 10,
            MaxDelay: network ? random.Next(2, 40) : random.Next(1, 8),
            DropRate: network ? random.NextDouble() * 0.3 : 0,
            DuplicateRate: network ? random.NextDouble() * 0.05 : 0,
            MaxDiskLatency: random.Next(0, 6),
            Clients: random.Next(2, 6),
            Keys: random.Next(1, 4),
            SnapshotEvery: random.Next(2) == 0 ? random.Next(5, 40) : 0,
            PartitionEvery: network ? random.Next(40, 1500) : 0,
            CrashEvery: crash ? random.Next(40, 1500) : 0,
            CrashAfterCommitOneIn: crash ? random.Next(2, 40) : 0,
            LeaderSendsBeforeWrite: random.Next(2) == 0);
    }
}
