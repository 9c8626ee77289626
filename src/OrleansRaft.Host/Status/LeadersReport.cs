namespace OrleansRaft.Host.Status;

/// <summary>
/// What <c>/leaders.json</c> returns: the silo that answered, its process id, when, how many members run on it, and the
/// member keys (<c>{groupId}/{memberId}</c>) of those that lead their group, as each last knew it. A member that lost
/// its leadership without hearing of it (cut off from its group) still shows here until it hears.
/// </summary>
internal sealed record LeadersReport(string Silo, int Pid, DateTimeOffset Time, int Members, IReadOnlyList<string> Leaders);
