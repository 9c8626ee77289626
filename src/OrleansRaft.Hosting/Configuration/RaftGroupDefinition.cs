namespace OrleansRaft.Hosting.Configuration;

/// <summary>
/// A group the silos create as they start (<c>AddRaftGroup</c>): its id, its members' ids and the name its state
/// machine was registered under (<c>AddRaftStateMachine</c>).
/// </summary>
public sealed record RaftGroupDefinition(string GroupId, IReadOnlyList<ulong> Members, string StateMachineType)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming what is wrong with the definition.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(GroupId, nameof(GroupId));
        ArgumentNullException.ThrowIfNull(Members, nameof(Members));
        ArgumentException.ThrowIfNullOrWhiteSpace(StateMachineType, nameof(StateMachineType));
        if (Members.Count == 0 || Members.Contains(0UL) || Members.Distinct().Count() != Members.Count)
        {
            throw new ArgumentException(
                $"The Raft group '{GroupId}' needs at least one member, with distinct positive ids, not [{string.Join(", ", Members)}].", nameof(Members));
        }
    }
}
