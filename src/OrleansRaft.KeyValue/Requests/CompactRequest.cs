namespace OrleansRaft.KeyValue;

/// <summary>
/// Forgets every version that is superseded at <see cref="Revision"/>: reads at earlier revisions and watches starting
/// before it are refused from then on. The revision must lie in (compact revision, current revision]. Compaction
/// does not raise the revision.
/// </summary>
public sealed class CompactRequest : KvRequest
{
    public CompactRequest(long revision)
    {
        Revision = revision;
    }

    public long Revision { get; }

    internal override KvRequestKind Kind => KvRequestKind.Compact;
}
