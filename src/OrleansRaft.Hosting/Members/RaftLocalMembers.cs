using System.Collections.Concurrent;

namespace OrleansRaft.Hosting.Members;

/// <summary>
/// The member grains running on this silo: a member is listed once it started and unlisted when it starts to
/// deactivate. The leadership hand-off reads it when the silo stops, the leader balancer to count and move leaders,
/// and the silo transport hands messages to the members it lists.
/// </summary>
internal sealed class RaftLocalMembers : IRaftLocalLeaders
{
    private readonly ConcurrentDictionary<string, RaftMemberGrain> _members = new(StringComparer.Ordinal);

    public void Add(string memberKey, RaftMemberGrain member) => _members[memberKey] = member;

    public void Remove(string memberKey) => _members.TryRemove(memberKey, out _);

    /// <summary>The member <paramref name="memberKey"/> if it runs here.</summary>
    public bool TryGet(string memberKey, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RaftMemberGrain? member) =>
        _members.TryGetValue(memberKey, out member);

    /// <summary>The keys of the listed members that lead their group now, as each last knew it.</summary>
    public List<string> Leaders() => [.. _members.Where(m => m.Value.IsLeader).Select(m => m.Key).Order(StringComparer.Ordinal)];

    IReadOnlyList<string> IRaftLocalLeaders.Leaders() => Leaders();

    /// <inheritdoc/>
    public int Count => _members.Count;

    /// <summary>The member keys listed now, in ordinal order.</summary>
    public string[] Snapshot()
    {
        var keys = _members.Keys.ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        return keys;
    }
}
