namespace OrleansRaft.Core;

/// <summary>What an entry carries, which decides how the application treats it.</summary>
public enum EntryType : byte
{
    /// <summary>An application command. A leader's first entry in its term is a normal entry with no data.</summary>
    Normal = 0,

    /// <summary>A membership configuration, encoded by <see cref="MembershipConfiguration.Encode"/>.</summary>
    Configuration = 1,
}

/// <summary>
/// One log entry. <see cref="Data"/> is shared, never copied, as the entry moves from the proposer
/// to the unstable log, to messages and to the committed entries of a <see cref="Ready"/>.
/// </summary>
public readonly record struct Entry(ulong Term, ulong Index, EntryType Type, ReadOnlyMemory<byte> Data)
{
    /// <summary>Fixed per-entry overhead counted by size limits, so that empty entries are not free.</summary>
    internal const int Overhead = 24;

    /// <summary>The size this entry counts for in byte limits: its payload plus a fixed overhead.</summary>
    public int Size => Data.Length + Overhead;

    public override string ToString() => $"{Term}/{Index}{(Type == EntryType.Normal ? "" : " " + Type)}[{Data.Length}]";
}
