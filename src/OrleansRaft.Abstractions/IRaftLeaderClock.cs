namespace OrleansRaft.Abstractions;

/// <summary>
/// Optional for an <see cref="IRaftStateMachine"/> whose state depends on time (leases, idle sessions): the member
/// that leads asks it for a command that carries the leader's clock, and proposes what it returns. Time thus enters
/// the state only through the log, measured on the leader's clock; a follower's clock never decides anything.
/// </summary>
/// <remarks>
/// <para>The member asks at most every <see cref="MinInterval"/>: from its timer while the group is awake, when the
/// wake-up that <see cref="NextTickDue"/> asked for comes due while the group is quiet, and just before it proposes a
/// client's command (<c>proposing</c>), so that a command reading the clock finds it fresh. A state machine with
/// nothing due returns null: a group whose state does not depend on time then appends nothing while idle, and may go
/// quiet.</para>
/// <para>Proposals made this way are fire and forget: one that fails (a lost leadership, a busy leader) is not retried,
/// the next question carries the clock on. Reading the clock is the member's business; the state machine must not
/// change its state here, only through <see cref="IRaftStateMachine.Apply"/>.</para>
/// </remarks>
public interface IRaftLeaderClock
{
    /// <summary>The shortest time between two clock commands proposed by one member.</summary>
    public static TimeSpan MinInterval { get; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The command to propose now, or null for none. <paramref name="term"/> is the leader's term, which identifies
    /// its clock; <paramref name="monotonicMilliseconds"/> only grows within one member's process and has no relation
    /// to another member's. <paramref name="proposing"/> is true when the member is about to propose other commands.
    /// </summary>
    ReadOnlyMemory<byte>? OnLeaderTick(ulong term, long monotonicMilliseconds, bool proposing);

    /// <summary>
    /// How long the leader may go without asking again: null for as long as the state does not change (nothing depends
    /// on time), else the time until something is due (zero: now). A quiet group's leader sets a timer for it.
    /// </summary>
    TimeSpan? NextTickDue(ulong term, long monotonicMilliseconds);
}
