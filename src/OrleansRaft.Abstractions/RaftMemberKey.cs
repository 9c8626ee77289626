namespace OrleansRaft.Abstractions;

/// <summary>
/// The key of a member grain: <c>{groupId}/{memberId}</c>. The group id may contain '/', the member id is the
/// positive Raft id after the last '/'.
/// </summary>
public readonly record struct RaftMemberKey(string GroupId, ulong MemberId)
{
    public static string Format(string groupId, ulong memberId)
    {
        ValidateGroupId(groupId);
        if (memberId == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(memberId), "A member id is a positive integer; 0 means 'no member'.");
        }

        return $"{groupId}/{memberId}";
    }

    public static RaftMemberKey Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.LastIndexOf('/');
        if (slash <= 0 || !ulong.TryParse(key.AsSpan(slash + 1), System.Globalization.NumberStyles.None, null, out var member) || member == 0)
        {
            throw new FormatException($"'{key}' is not a Raft member key: expected '{{groupId}}/{{memberId}}' with a positive integer member id.");
        }

        return new RaftMemberKey(key[..slash], member);
    }

    public static void ValidateGroupId(string groupId)
    {
        if (string.IsNullOrWhiteSpace(groupId))
        {
            throw new ArgumentException("A group id must not be empty.", nameof(groupId));
        }
    }

    public override string ToString() => $"{GroupId}/{MemberId}";
}
