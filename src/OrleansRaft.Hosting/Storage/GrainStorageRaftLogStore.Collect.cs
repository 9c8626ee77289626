using Orleans.Storage;

namespace OrleansRaft.Hosting.Storage;

public sealed partial class GrainStorageRaftLogStore
{
    /// <summary>
    /// Collects what a snapshot install replaced without holding up the appends that follow it: one delete per
    /// replaced batch would otherwise stall the log for as long as thousands of single-entry batches take to delete.
    /// It touches only records below the manifest's first live batch and the manifest's garbage fields, which
    /// appends and truncations never touch; the next snapshot install or deletion waits for it
    /// (<see cref="FinishCollection"/>). A collection that fails leaves its garbage listed in the manifest, for that
    /// wait or the next load to collect. Never throws.
    /// </summary>
    private async Task CollectInBackground(SnapshotRef? oldSnapshot, long droppedFrom, List<BatchInfo> dropped)
    {
        try
        {
            await CollectReplaced(oldSnapshot, droppedFrom, dropped, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogMessages.CollectionFailed(_logger, _member, e);
        }
    }

    /// <summary>Waits for the background collection, then collects whatever it left listed in the manifest.</summary>
    private async Task FinishCollection(CancellationToken cancellationToken)
    {
        await _collection;
        if (_manifest.HasGarbage)
        {
            await CollectLeftovers(cancellationToken);
        }
    }

    /// <summary>
    /// Deletes what a snapshot install replaced: the old snapshot's chunks and the batches before the new first
    /// one, except fences. Then records in the manifest that nothing is left to collect.
    /// </summary>
    private async Task CollectReplaced(SnapshotRef? oldSnapshot, long droppedFrom, List<BatchInfo> dropped, CancellationToken cancellationToken)
    {
        if (oldSnapshot is not null)
        {
            await ForEachBounded(oldSnapshot.ChunkCount, _options.MaxParallelWrites,
                i => DeleteRecord<SnapshotChunkRecord>(SnapshotStateName, ChunkKey(oldSnapshot, i), etag: null, cancellationToken));
        }

        await ForEachBounded(dropped.Count, _options.MaxParallelWrites, i => dropped[i].IsFence
            ? Task.CompletedTask
            : DeleteRecord<LogBatchRecord>(BatchStateName, BatchKey(droppedFrom + i), dropped[i].ETag, cancellationToken));

        if (_manifest.HasGarbage)
        {
            await WriteCollectedManifest(cancellationToken);
        }

        LogMessages.Collected(_logger, _member, oldSnapshot?.ChunkCount ?? 0, dropped.Count(b => !b.IsFence));
    }

    /// <summary>Deletes what a crash left behind, as the loaded manifest lists it: unfinished and replaced snapshots, dropped batches.</summary>
    private async Task CollectLeftovers(CancellationToken cancellationToken)
    {
        var pending = _manifest.Pending;
        var replaced = _manifest.GarbageSnapshot;
        if (pending is not null)
        {
            await ForEachBounded(pending.ChunkCount, _options.MaxParallelWrites,
                i => DeleteRecord<SnapshotChunkRecord>(SnapshotStateName, ChunkKey(pending, i), etag: null, cancellationToken));
        }

        if (replaced is not null)
        {
            await ForEachBounded(replaced.ChunkCount, _options.MaxParallelWrites,
                i => DeleteRecord<SnapshotChunkRecord>(SnapshotStateName, ChunkKey(replaced, i), etag: null, cancellationToken));
        }

        var from = _manifest.GarbageFromSeq;
        var count = (int)(_manifest.FirstSeq - from);
        await ForEachBounded(count, _options.MaxParallelWrites, async i =>
        {
            var key = BatchKey(from + i);
            var state = await ReadAsync<LogBatchRecord>(BatchStateName, key, cancellationToken);
            if (state.Value is { IsFence: false })
            {
                await DeleteRecord<LogBatchRecord>(BatchStateName, key, state.ETag, cancellationToken);
            }
        });

        await WriteCollectedManifest(cancellationToken);
        LogMessages.Collected(_logger, _member, (pending?.ChunkCount ?? 0) + (replaced?.ChunkCount ?? 0), count);
    }

    private async Task WriteCollectedManifest(CancellationToken cancellationToken)
    {
        var collected = _manifest with { Pending = null, GarbageSnapshot = null, GarbageFromSeq = _manifest.FirstSeq };
        _manifestETag = await WriteAsync(ManifestStateName, _member, collected, _manifestETag, cancellationToken);
        _manifest = collected;
    }

    /// <summary>
    /// Deletes a record that may already be gone (an earlier collection was cut short, or a fenced instance is
    /// collecting the same garbage). Without an ETag, reads it first. Returns the ETag to write the record again
    /// with (see <see cref="DeleteAsync{T}"/>).
    /// </summary>
    private async Task<string?> DeleteRecord<T>(string stateName, string key, string? etag, CancellationToken cancellationToken)
        where T : class
    {
        if (etag is null)
        {
            var state = await ReadAsync<T>(stateName, key, cancellationToken);
            if (state.Value is null)
            {
                return state.ETag;
            }

            etag = state.ETag;
        }

        try
        {
            return await DeleteAsync<T>(stateName, key, etag, cancellationToken);
        }
        catch (InconsistentStateException)
        {
            var state = await ReadAsync<T>(stateName, key, cancellationToken);
            if (state.Value is not null)
            {
                throw;
            }

            return state.ETag;
        }
    }
}
