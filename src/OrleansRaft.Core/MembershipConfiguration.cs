using System.Buffers.Binary;

namespace OrleansRaft.Core;

/// <summary>
/// The members of a group: voters decide elections and commits, learners only receive the log.
/// Kept as data in snapshot metadata and in configuration entries of the log (see <see cref="RaftNode.ProposeConfigurationChange"/>).
/// Invariant: both lists are sorted, free of duplicates, disjoint, and contain no zero id.
/// </summary>
public sealed class MembershipConfiguration : IEquatable<MembershipConfiguration>
{
    public static readonly MembershipConfiguration Empty = new([], []);

    private readonly ulong[] _voters;
    private readonly ulong[] _learners;

    public MembershipConfiguration(IEnumerable<ulong> voters, IEnumerable<ulong>? learners = null)
    {
        _voters = voters.Distinct().Order().ToArray();
        _learners = (learners ?? []).Distinct().Order().ToArray();
        if (_voters.Contains(0UL) || _learners.Contains(0UL))
        {
            throw new ArgumentException("Member id 0 is reserved to mean 'no member'.");
        }

        if (_voters.Intersect(_learners).Any())
        {
            throw new ArgumentException($"A member cannot be both voter and learner: {string.Join(",", _voters.Intersect(_learners))}.");
        }
    }

    public IReadOnlyList<ulong> Voters => _voters;

    public IReadOnlyList<ulong> Learners => _learners;

    public bool IsEmpty => _voters.Length == 0 && _learners.Length == 0;

    public bool IsVoter(ulong id) => Array.BinarySearch(_voters, id) >= 0;

    public bool IsLearner(ulong id) => Array.BinarySearch(_learners, id) >= 0;

    public bool Contains(ulong id) => IsVoter(id) || IsLearner(id);

    /// <summary>Encodes as little-endian counts and ids; the inverse of <see cref="Decode"/>.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[8 + 8 * (_voters.Length + _learners.Length)];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, _voters.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), _learners.Length);
        var offset = 8;
        foreach (var id in _voters.Concat(_learners))
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(offset), id);
            offset += 8;
        }

        return bytes;
    }

    public static MembershipConfiguration Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8)
        {
            throw new FormatException("A membership configuration needs at least 8 bytes.");
        }

        var voters = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        var learners = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        if (voters < 0 || learners < 0 || bytes.Length != 8 + 8L * (voters + (long)learners))
        {
            throw new FormatException($"A membership configuration of {bytes.Length} bytes cannot hold {voters} voters and {learners} learners.");
        }

        var ids = new ulong[voters + learners];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(8 + 8 * i)..]);
        }

        return new MembershipConfiguration(ids[..voters], ids[voters..]);
    }

    public bool Equals(MembershipConfiguration? other) =>
        ReferenceEquals(this, other) ||
        (other is not null && _voters.AsSpan().SequenceEqual(other._voters) && _learners.AsSpan().SequenceEqual(other._learners));

    public override bool Equals(object? obj) => Equals(obj as MembershipConfiguration);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var id in _voters)
        {
            hash.Add(id);
        }

        hash.Add(-1);
        foreach (var id in _learners)
        {
            hash.Add(id);
        }

        return hash.ToHashCode();
    }

    public override string ToString() =>
        $"voters=({string.Join(" ", _voters)})" + (_learners.Length > 0 ? $" learners=({string.Join(" ", _learners)})" : "");
}
