using System.Collections.Concurrent;

namespace OrleansRaft.Hosting.Members;

/// <summary>
/// The member grains running on this silo: a member is listed once it started and unlisted when it deactivates. The
/// leadership hand-off reads it when the silo stops; nothing else depends on it.
/// </summary>
internal sealed class RaftLocalMembers
{
    private readonly ConcurrentDictionary<string, byte> _keys = new(StringComparer.Ordinal);

    public void Add(string memberKey) => _keys[memberKey] = 0;

    public void Remove(string memberKey) => _keys.TryRemove(memberKey, out _);

    /// <summary>The member keys listed now, in ordinal order.</summary>
    public string[] Snapshot()
    {
        var keys = _keys.Keys.ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        return keys;
    }
}
