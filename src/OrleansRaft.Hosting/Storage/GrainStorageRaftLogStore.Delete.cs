namespace OrleansRaft.Hosting.Storage;

public sealed partial class GrainStorageRaftLogStore
{
    /// <summary>
    /// Deletes the member's log: every batch record but the fences, the snapshot's chunks and the hard-state
    /// record. The manifest stays as a tombstone of a few bytes holding the claim epoch and the next sequence
    /// number, so that a member re-created under the same key starts from an empty log past anything a stale
    /// writer could still insert. The instance is empty afterwards, as a newly created member's would be.
    /// </summary>
    /// <remarks>
    /// The manifest is reset first: from then on a load finds an empty log, and it collects whatever a crash left
    /// of the rest, because the reset manifest lists the old batches and snapshot as garbage. Fences stay, this
    /// instance's own among them: an instance that loaded before it still has its next batch aimed at one, and
    /// must keep failing there rather than write into the log of a member re-created under the same key.
    /// </remarks>
    public async ValueTask DeleteAllAsync(CancellationToken cancellationToken = default)
    {
        Enter(cancellationToken);
        try
        {
            await Guarded(async () =>
            {
                // A prepared snapshot's writes end first; the manifest announces it, so its chunks are collected as garbage.
                await TakePrepared();
                await FinishCollection(cancellationToken);
                var old = _manifest;
                var reset = new LogManifest
                {
                    Epoch = old.Epoch,
                    Lsn = _lsn + 1,
                    FirstSeq = _nextSeq,
                    NextSnapshotNumber = old.NextSnapshotNumber,
                    GarbageSnapshot = old.Snapshot,
                    GarbageFromSeq = old.FirstSeq,
                };
                _manifestETag = await WriteAsync(ManifestStateName, _member, reset, _manifestETag, cancellationToken);
                _lsn++;
                _manifest = reset;

                var batches = _batches;
                await ForEachBounded(batches.Count, _options.MaxParallelWrites, i => batches[i].IsFence
                    ? Task.CompletedTask
                    : DeleteRecord<LogBatchRecord>(BatchStateName, BatchKey(old.FirstSeq + i), batches[i].ETag, cancellationToken));
                if (old.Snapshot is { } snapshot)
                {
                    await ForEachBounded(snapshot.ChunkCount, _options.MaxParallelWrites,
                        i => DeleteRecord<SnapshotChunkRecord>(SnapshotStateName, ChunkKey(snapshot, i), etag: null, cancellationToken));
                }

                _hardStateETag = await DeleteRecord<HardStateRecord>(HardStateStateName, _member, _hardStateETag, cancellationToken);
                await WriteCollectedManifest(cancellationToken);
            });

            _log = new LogCache();
            _batches = [];
            _runs = [];
            _snapshot = null;
        }
        finally
        {
            Exit();
        }
    }
}
