namespace OrleansRaft.Client;

/// <summary>A watch asked for events before the compact revision: they are gone, and the watch ended.</summary>
[GenerateSerializer, Alias("orleansraft.kv-watch-compacted")]
public sealed class KvWatchCompactedException : Exception
{
    public KvWatchCompactedException(long fromRevision, long compactRevision)
        : base($"The watch asked for events from revision {fromRevision}, but the store is compacted up to {compactRevision}.")
    {
        FromRevision = fromRevision;
        CompactRevision = compactRevision;
    }

    [Id(0)]
    public long FromRevision { get; }

    [Id(1)]
    public long CompactRevision { get; }
}
