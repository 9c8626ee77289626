namespace OrleansRaft.Core;

/// <summary>Where a snapshot sits in the log, and the membership in force at that point.</summary>
public sealed record SnapshotMetadata(ulong Index, ulong Term, MembershipConfiguration Configuration)
{
    public static readonly SnapshotMetadata Empty = new(0, 0, MembershipConfiguration.Empty);
}

/// <summary>
/// The application state after applying every entry up to and including <see cref="SnapshotMetadata.Index"/>.
/// The core never looks inside <see cref="Data"/>.
/// </summary>
public sealed record Snapshot(SnapshotMetadata Metadata, ReadOnlyMemory<byte> Data)
{
    public static readonly Snapshot Empty = new(SnapshotMetadata.Empty, ReadOnlyMemory<byte>.Empty);

    public ulong Index => Metadata.Index;

    public ulong Term => Metadata.Term;

    public bool IsEmpty => Metadata.Index == 0;
}
