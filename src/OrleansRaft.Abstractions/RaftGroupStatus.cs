namespace OrleansRaft.Abstractions;

/// <summary>
/// A group as its members see it, for operators. <see cref="Leader"/> and <see cref="Term"/> come from the member
/// that answered with the highest term (0 when none knows a leader). A group whose status could not be read at all is
/// listed by <see cref="IRaftDirectoryGrain.GetStatusAsync"/> with one view of member id 0 that carries the error.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansraft.group-status")]
public sealed record RaftGroupStatus(
    [property: Id(0)] string GroupId,
    [property: Id(1)] string StateMachineType,
    [property: Id(2)] ulong Leader,
    [property: Id(3)] ulong Term,
    [property: Id(4)] RaftMemberView[] Members);

/// <summary>
/// One member of a <see cref="RaftGroupStatus"/>: its <see cref="Status"/> when it answered in time, or the reason it
/// did not in <see cref="Error"/>. <see cref="Lag"/> is how many committed entries it has yet to apply, counted from
/// the highest commit index any member of the group reported.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansraft.member-view")]
public sealed record RaftMemberView(
    [property: Id(0)] ulong MemberId,
    [property: Id(1)] RaftMemberStatus? Status,
    [property: Id(2)] string? Error,
    [property: Id(3)] ulong Lag);
