namespace OrleansRaft.Abstractions;

/// <summary>
/// What a state machine may add to decide, before a member proposes or serves a request, whether the caller may make
/// it: implemented by the state machine object alongside <see cref="IRaftStateMachine"/>. The member asks it on every
/// <see cref="IRaftMemberGrain.ProposeAsync"/>, <see cref="IRaftMemberGrain.ReadAsync"/> and
/// <see cref="IRaftMemberGrain.ReadLocalAsync"/>, on its own turn and before anything reaches the log, with the
/// credential the call carried (<see cref="RaftCallerCredential"/>).
/// </summary>
/// <remarks>
/// A gate checks what only the receiving silo can check (a MAC with a cluster secret, an expiry against its clock);
/// what the replicated state decides (roles, permissions) stays in the state machine, where every member agrees.
/// </remarks>
public interface IRaftRequestGate
{
    /// <summary>
    /// Null to admit <paramref name="request"/>; otherwise the answer the member returns instead (as an Ok result with
    /// nothing proposed or read), in the state machine's own result format.
    /// </summary>
    /// <param name="groupId">The member's group.</param>
    /// <param name="request">The command (<paramref name="command"/>) or query, as the caller sent it.</param>
    /// <param name="command">Whether <paramref name="request"/> is a command (else a query).</param>
    /// <param name="credential">The <see cref="RaftCallerCredential.RequestContextKey"/> value of the call, if any.</param>
    ReadOnlyMemory<byte>? Refuse(string groupId, ReadOnlyMemory<byte> request, bool command, string? credential);
}

/// <summary>Where a caller's credential travels beside its request: the Orleans request context of the call.</summary>
public static class RaftCallerCredential
{
    /// <summary>
    /// The request context key. Values of the request context travel with the call to the silo, and are set by the
    /// caller: the gate verifies what it finds there, it never trusts it.
    /// </summary>
    public const string RequestContextKey = "orleansraft-credential";

    /// <summary>The credential the current call carries, if any.</summary>
    public static string? Current => RequestContext.Get(RequestContextKey) as string;
}
