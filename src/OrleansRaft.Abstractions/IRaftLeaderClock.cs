namespace OrleansRaft.Abstractions;

/// <summary>
/// Optional for an <see cref="IRaftStateMachine"/> whose state depends on time (leases, idle sessions): the member
/// that leads calls <see cref="OnLeaderTick"/> from its timer, at most every <see cref="MinInterval"/>, and proposes
/// the command it returns. Time thus enters the state only through the log, measured on the leader's clock; a
/// follower's clock never decides anything.
/// </summary>
/// <remarks>
/// Proposals made this way are fire and forget: one that fails (a lost leadership, a busy leader) is not retried, the
/// next tick carries the clock on. Reading the clock is the member's business; the state machine must not change its
/// state here, only through <see cref="IRaftStateMachine.Apply"/>.
/// </remarks>
public interface IRaftLeaderClock
{
    /// <summary>The shortest time between two calls of <see cref="OnLeaderTick"/> on one member.</summary>
    public static TimeSpan MinInterval { get; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The command to propose now, or null for none. <paramref name="term"/> is the leader's term, which identifies
    /// its clock; <paramref name="monotonicMilliseconds"/> only grows within one member's process and has no relation
    /// to another member's.
    /// </summary>
    ReadOnlyMemory<byte>? OnLeaderTick(ulong term, long monotonicMilliseconds);
}
