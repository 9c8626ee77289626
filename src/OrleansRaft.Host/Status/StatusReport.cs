using OrleansRaft.Abstractions;

namespace OrleansRaft.Host.Status;

/// <summary>
/// What <c>/status.json</c> returns: the silo that answered, the cluster's silos, one page of groups and where that page
/// lies (null while the cluster is not ready or the directory did not answer).
/// </summary>
internal sealed record StatusReport(string Silo, DateTimeOffset Time, SiloReport[] Silos, GroupReport[] Groups, PageReport? Page, string? Error);

/// <summary>
/// The page of groups: <see cref="Count"/> ids listed from position <see cref="Offset"/> (from 0) of <see cref="Total"/>,
/// asked with <see cref="Limit"/>; <see cref="Next"/> and <see cref="Previous"/> are the <c>after</c> cursors of the
/// pages around it (see <c>RaftGroupPage</c>: null when there is none, an empty previous for the first page).
/// </summary>
internal sealed record PageReport(int Offset, int Count, int Total, int Limit, string? Next, string? Previous);

internal sealed record SiloReport(string Address, string Name, string Status);

/// <summary>A group: <see cref="Leader"/> and <see cref="Term"/> as the member with the highest term reported them.</summary>
internal sealed record GroupReport(string Id, string StateMachine, ulong Leader, ulong Term, MemberReport[] Members)
{
    public static GroupReport From(RaftGroupStatus g) => new(g.GroupId, g.StateMachineType, g.Leader, g.Term, [.. g.Members.Select(MemberReport.From)]);
}

/// <summary>
/// A member: its silo, role (follower, precandidate, candidate, leader), term, commit and applied index, and lag (the
/// group's highest commit index minus this member's applied index), whether its group is quiet; or the error that
/// kept it from answering.
/// </summary>
internal sealed record MemberReport(ulong Id, string? Silo, string? Role, ulong? Term, ulong? Commit, ulong? Applied, ulong Lag, bool? Quiet, string? Error)
{
    public static MemberReport From(RaftMemberView view) => view.Status is { } s
        ? new MemberReport(view.MemberId, s.Silo, s.Role.ToString().ToLowerInvariant(), s.Term, s.Commit, s.Applied, view.Lag, s.Quiescent, view.Error)
        : new MemberReport(view.MemberId, null, null, null, null, null, view.Lag, null, view.Error ?? "no answer");
}
