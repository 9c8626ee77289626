namespace OrleansRaft.Linearizability;

/// <summary>
/// An optional capability of a model: it lets the checker place pending operations just in time. Without it,
/// the checker tries every pending operation at every point after its call, which grows exponentially with the
/// number of pending operations.
/// </summary>
/// <remarks>
/// <para>Implementing this promises that a pending operation needs to take effect only immediately before a
/// completed operation that would otherwise be rejected, possibly after other pending operations each of which
/// enables the next. That holds when, for any state s, pending operations c and completed operation o accepted
/// both in s and after c, o either hides c (o after c ends where o alone does) or lets c go after it (o then c
/// ends where c then o does). The checker then tries a pending operation only when it may enable, directly or
/// through such a chain, a completed candidate that the current state rejects.</para>
/// <para>Registers with put, get and compare-and-set satisfy this. A queue does not (two enqueues neither hide nor
/// commute).</para>
/// </remarks>
public interface IJustInTimePending<TInput, TOutput>
{
    /// <summary>
    /// Whether taking effect of <paramref name="pending"/> could make <paramref name="other"/> accepted where it
    /// was rejected or, when <paramref name="other"/> is pending too, make it change the state where it did not.
    /// An over-approximation: answering true when unsure is safe, answering false when it could is not.
    /// </summary>
    bool MayEnable(Operation<TInput, TOutput> pending, Operation<TInput, TOutput> other);
}
