using System.Diagnostics;

namespace OrleansRaft.Abstractions;

/// <summary>
/// The activity source <c>OrleansRaft</c>: one span per stage of a write, so that where a request's time goes can be
/// read off a trace (OpenTelemetry's <c>AddSource(RaftTracing.SourceName)</c>, or an <see cref="ActivityListener"/>).
/// With no listener a stage costs one check and allocates nothing.
/// </summary>
/// <remarks>
/// Stages run in different places: a write's client span wraps its grain call, the member's propose span runs on the
/// leader, and Ready, log-write and apply spans belong to whichever member handles them (tag <c>orleansraft.role</c>),
/// so they are not children of one request: a Ready serves every proposal it carries.
/// </remarks>
public static class RaftTracing
{
    public const string SourceName = "OrleansRaft";

    /// <summary>A key-value write as its client sees it, retries and leader following included.</summary>
    public const string KvClientWrite = "orleansraft.kv.write";

    /// <summary>A proposal on the member that took it: from the call's turn to its answer (commit and apply).</summary>
    public const string Propose = "orleansraft.propose";

    /// <summary>A leader holding its first Ready back to gather more proposals into one log write.</summary>
    public const string Gather = "orleansraft.gather";

    /// <summary>One Ready handled: persist, send, apply, in the order Raft prescribes.</summary>
    public const string Ready = "orleansraft.ready";

    /// <summary>The durable write of a Ready's entries and hard state.</summary>
    public const string LogWrite = "orleansraft.log.write";

    /// <summary>Committed entries applied to the state machine and their proposers answered.</summary>
    public const string Apply = "orleansraft.apply";

    /// <summary>One PostgreSQL round trip of the batching storage provider, carrying one or more grains' requests.</summary>
    public const string StorageRoundTrip = "orleansraft.storage.batch";

    /// <summary>The tag that names a member's role when it handled a stage: <c>leader</c> or <c>follower</c>.</summary>
    public const string RoleTag = "orleansraft.role";

    /// <summary>The tag that counts what a stage carried: entries for Ready, log writes and applies, requests for a round trip.</summary>
    public const string CountTag = "orleansraft.count";

    public static ActivitySource Source { get; } = new(SourceName);
}
