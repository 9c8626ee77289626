namespace OrleansRaft.Hosting.Members;

/// <summary>
/// The members that run on this silo and lead their group, as each last knew it. Read in process, with no grain call
/// and no storage access, so an operator's endpoint or a monitor can poll it often with 10,000 groups on the silo.
/// </summary>
public interface IRaftLocalLeaders
{
    /// <summary>The member keys (<c>{groupId}/{memberId}</c>) of the local members that lead now, in ordinal order.</summary>
    IReadOnlyList<string> Leaders();

    /// <summary>How many members run on this silo now, leaders or not.</summary>
    int Count { get; }
}
