namespace OrleansRaft.Hosting.Transport;

/// <summary>What the transport does with one batch of messages from one member to another.</summary>
public readonly record struct RaftMessageFate(bool Drop, TimeSpan Delay)
{
    public static readonly RaftMessageFate Deliver = new(false, TimeSpan.Zero);

    public static readonly RaftMessageFate Dropped = new(true, TimeSpan.Zero);

    public static RaftMessageFate Delayed(TimeSpan delay) => new(false, delay);
}

/// <summary>
/// Decides the fate of the messages a member sends, before they leave the silo, and whether the silo's liveness probes
/// (<see cref="Quiescence.RaftSiloLiveness"/>) get answers. The default delivers everything; tests install a
/// <see cref="RaftFaultInjector"/> to drop, delay or partition. Raft tolerates lost, delayed and reordered messages, and
/// safety never rests on a liveness probe, so any fate is safe.
/// </summary>
public interface IRaftMessageFilter
{
    RaftMessageFate Decide(string groupId, ulong from, ulong to);

    /// <summary>
    /// False when a liveness probe of <paramref name="silo"/> must go unanswered, as when that silo is cut off the network:
    /// the probe then times out. True by default.
    /// </summary>
    bool AnswersProbe(SiloAddress silo) => true;

    /// <summary>
    /// True when a liveness probe of <paramref name="silo"/> must fail at once, as when that silo's process died and its
    /// port refuses connections. False by default.
    /// </summary>
    bool RefusesProbe(SiloAddress silo) => false;
}

internal sealed class PassThroughMessageFilter : IRaftMessageFilter
{
    public static readonly PassThroughMessageFilter Instance = new();

    public RaftMessageFate Decide(string groupId, ulong from, ulong to) => RaftMessageFate.Deliver;
}
