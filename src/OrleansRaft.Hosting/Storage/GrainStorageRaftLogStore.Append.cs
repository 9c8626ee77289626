using OrleansRaft.Core;

namespace OrleansRaft.Hosting.Storage;

public sealed partial class GrainStorageRaftLogStore
{
    public async ValueTask AppendAsync(IReadOnlyList<Entry> entries, HardState? hardState = null, CancellationToken cancellationToken = default)
    {
        Enter(cancellationToken);
        try
        {
            var skip = _log.CheckAppend(entries, hardState);
            if (skip == entries.Count)
            {
                if (hardState is { } changed && changed != _log.HardState)
                {
                    await Guarded(() => WriteHardState(changed, cancellationToken));
                }

                return;
            }

            var first = entries[skip].Index;
            var stored = new StoredEntry[entries.Count - skip];
            for (var i = 0; i < stored.Length; i++)
            {
                var entry = entries[skip + i];
                stored[i] = new StoredEntry(entry.Term, (byte)entry.Type, entry.Data);
            }

            var state = hardState ?? _log.HardState;
            await Guarded(() => WriteBatch(first, stored, state, cancellationToken));
            _log.Append(entries, skip);
            _log.HardState = state;
        }
        finally
        {
            Exit();
        }
    }

    public async ValueTask TruncateSuffixAsync(ulong fromIndex, CancellationToken cancellationToken = default)
    {
        Enter(cancellationToken);
        try
        {
            _log.CheckTruncate(fromIndex);
            if (fromIndex > _log.LastIndex)
            {
                return;
            }

            // A batch without entries that starts at fromIndex: replay keeps what lies before it, adds nothing.
            await Guarded(() => WriteBatch(fromIndex, [], _log.HardState, cancellationToken));
            _log.TruncateFrom(fromIndex);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Inserts the next batch record: the one storage write of an append or a truncation.</summary>
    private async Task WriteBatch(ulong firstIndex, StoredEntry[] entries, HardState hardState, CancellationToken cancellationToken)
    {
        var seq = _nextSeq;
        var batch = new LogBatchRecord
        {
            Seq = seq,
            Epoch = _epoch,
            Lsn = _lsn + 1,
            FirstIndex = firstIndex,
            HardState = StoredHardState.From(hardState),
            Entries = entries,
        };
        var etag = await WriteAsync(BatchStateName, BatchKey(seq), batch, null, cancellationToken);
        _lsn++;
        _nextSeq++;
        _batches.Add(new BatchInfo(etag, IsFence: false));
        TrimRuns(_runs, firstIndex);
        if (entries.Length > 0)
        {
            _runs.Add(new Run(seq, firstIndex));
        }
    }

    private async Task WriteHardState(HardState hardState, CancellationToken cancellationToken)
    {
        var record = new HardStateRecord(_epoch, _lsn + 1, StoredHardState.From(hardState));
        _hardStateETag = await WriteAsync(HardStateStateName, _member, record, _hardStateETag, cancellationToken);
        _lsn++;
        _log.HardState = hardState;
    }
}
