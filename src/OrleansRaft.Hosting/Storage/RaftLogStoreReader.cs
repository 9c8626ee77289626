using OrleansRaft.Core;

namespace OrleansRaft.Hosting.Storage;

/// <summary>
/// The core's synchronous view of an <see cref="IRaftLogStore"/>: indexes, terms and entries come from the store's
/// in-memory copy of the log (its reads complete synchronously), the snapshot from <see cref="Snapshot"/>, which
/// the member sets whenever it installs one.
/// </summary>
internal sealed class RaftLogStoreReader(IRaftLogStore store, Snapshot snapshot) : IRaftLogReader
{
    /// <summary>The store's latest snapshot with its data.</summary>
    public Snapshot Snapshot { get; set; } = snapshot;

    public ulong FirstIndex => store.FirstIndex;

    public ulong LastIndex => store.LastIndex;

    public RaftInitialState InitialState() => new(store.HardState, store.SnapshotMetadata.Configuration);

    public LogReadStatus TryGetTerm(ulong index, out ulong term)
    {
        term = 0;
        if (index + 1 < store.FirstIndex)
        {
            return LogReadStatus.Compacted;
        }

        if (index > store.LastIndex)
        {
            return LogReadStatus.Unavailable;
        }

        var read = store.ReadTermAsync(index);
        if (!read.IsCompletedSuccessfully)
        {
            return LogReadStatus.Unavailable;
        }

        term = read.Result;
        return LogReadStatus.Ok;
    }

    public LogReadStatus TryGetEntries(ulong low, ulong high, ulong maxBytes, List<Entry> destination)
    {
        if (low < store.FirstIndex)
        {
            return LogReadStatus.Compacted;
        }

        if (high > store.LastIndex + 1 || low > high)
        {
            return LogReadStatus.Unavailable;
        }

        var read = store.ReadEntriesAsync(low, high, maxBytes, destination);
        if (!read.IsCompletedSuccessfully)
        {
            return LogReadStatus.Unavailable;
        }

        read.GetAwaiter().GetResult();
        return LogReadStatus.Ok;
    }

    public LogReadStatus TryGetSnapshot(out Snapshot snapshot)
    {
        snapshot = Snapshot;

        // The store switches to a new snapshot before the member learns its data; until then, ask again later.
        return snapshot.Index == store.SnapshotMetadata.Index ? LogReadStatus.Ok : LogReadStatus.Unavailable;
    }
}
