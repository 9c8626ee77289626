using System.Security.Cryptography;
using OrleansRaft.Core;

namespace OrleansRaft.Hosting.Storage;

public sealed partial class GrainStorageRaftLogStore
{
    public async ValueTask InstallSnapshotAsync(Snapshot snapshot, HardState? hardState = null, CancellationToken cancellationToken = default)
    {
        Enter(cancellationToken);
        try
        {
            var keep = _log.CheckSnapshot(snapshot, hardState);
            await Guarded(() => WriteSnapshot(snapshot, keep, hardState ?? _log.HardState, cancellationToken));
        }
        finally
        {
            Exit();
        }
    }

    public async ValueTask<Snapshot> ReadSnapshotAsync(CancellationToken cancellationToken = default)
    {
        Enter(cancellationToken);
        try
        {
            if (_snapshot is { } cached && cached.Metadata == _log.Snapshot)
            {
                return cached;
            }

            var data = _manifest.Snapshot is { } reference
                ? await ReadChunks(reference, cancellationToken)
                : ReadOnlyMemory<byte>.Empty;
            _snapshot = new Snapshot(_log.Snapshot, data);
            return _snapshot;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Announces the snapshot in the manifest, writes its chunks, then flips the manifest to it; only then drops
    /// what it replaced, in the background (see <see cref="CollectInBackground"/>). Until the flip a load sees the
    /// old snapshot, after it the new one.
    /// </summary>
    private async Task WriteSnapshot(Snapshot snapshot, bool keepSuffix, HardState hardState, CancellationToken cancellationToken)
    {
        // The manifest names one generation of garbage at a time: the previous one must be gone before it is replaced.
        await FinishCollection(cancellationToken);
        var data = snapshot.Data;
        var chunkSize = _options.SnapshotChunkSize;
        var reference = new SnapshotRef(
            _epoch,
            _manifest.NextSnapshotNumber,
            (data.Length + chunkSize - 1) / chunkSize,
            chunkSize,
            data.Length,
            SHA256.HashData(data.Span));

        var announced = _manifest with { Pending = reference, NextSnapshotNumber = reference.Number + 1 };
        _manifestETag = await WriteAsync(ManifestStateName, _member, announced, _manifestETag, cancellationToken);
        _manifest = announced;

        await ForEachBounded(reference.ChunkCount, _options.MaxParallelWrites, i =>
        {
            var chunk = new SnapshotChunkRecord(
                reference.Epoch, reference.Number, i, data.Slice((int)reference.ChunkOffset(i), reference.ChunkLength(i)));
            return WriteAsync(SnapshotStateName, ChunkKey(reference, i), chunk, null, cancellationToken);
        });

        // Replay must start at the batch that wrote the first entry kept after the snapshot: the last run that
        // starts at or before it (runs are in index order), or the first run when none does. With no entry kept,
        // replay starts at the next batch to be written.
        var runs = new List<Run>(_runs);
        if (keepSuffix && snapshot.Index < _log.LastIndex)
        {
            runs.RemoveRange(0, Math.Max(0, LastRunStartingAtOrBefore(runs, snapshot.Index + 1)));
        }
        else
        {
            runs.Clear();
        }

        var firstSeq = runs.Count > 0 ? runs[0].Seq : _nextSeq;
        var metadata = snapshot.Metadata;
        var flipped = _manifest with
        {
            Lsn = _lsn + 1,
            HardState = StoredHardState.From(hardState),
            SnapshotIndex = metadata.Index,
            SnapshotTerm = metadata.Term,
            SnapshotConfiguration = metadata.Configuration.Encode(),
            Snapshot = reference,
            FirstSeq = firstSeq,
            Pending = null,
            GarbageSnapshot = _manifest.Snapshot,
            GarbageFromSeq = _manifest.FirstSeq,
        };
        _manifestETag = await WriteAsync(ManifestStateName, _member, flipped, _manifestETag, cancellationToken);
        _lsn++;

        var dropped = _batches.GetRange(0, (int)(firstSeq - _manifest.FirstSeq));
        var droppedFrom = _manifest.FirstSeq;
        _batches.RemoveRange(0, dropped.Count);
        _manifest = flipped;
        _runs = runs;
        _log.InstallSnapshot(metadata, keepSuffix);
        _log.HardState = hardState;
        _snapshot = snapshot;

        _collection = CollectInBackground(flipped.GarbageSnapshot, droppedFrom, dropped);
    }

    /// <summary>The position of the last run whose first index is at most <paramref name="index"/>, or -1 when there is none.</summary>
    private static int LastRunStartingAtOrBefore(List<Run> runs, ulong index)
    {
        int low = 0, high = runs.Count - 1, found = -1;
        while (low <= high)
        {
            var middle = low + (high - low) / 2;
            if (runs[middle].FirstIndex <= index)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found;
    }

    private async Task<ReadOnlyMemory<byte>> ReadChunks(SnapshotRef reference, CancellationToken cancellationToken)
    {
        if (reference.Length < 0 || reference.ChunkSize < 1 && reference.ChunkCount > 0 ||
            reference.ChunkCount != (reference.Length + Math.Max(1, reference.ChunkSize) - 1) / Math.Max(1, reference.ChunkSize))
        {
            throw Corrupted($"snapshot {reference.Epoch}.{reference.Number} has {reference.ChunkCount} chunks of {reference.ChunkSize} bytes for {reference.Length} bytes.");
        }

        var data = new byte[reference.Length];
        await ForEachBounded(reference.ChunkCount, _options.MaxParallelWrites, async i =>
        {
            var chunk = (await ReadAsync<SnapshotChunkRecord>(SnapshotStateName, ChunkKey(reference, i), cancellationToken)).Value;
            if (chunk is null || chunk.Epoch != reference.Epoch || chunk.Number != reference.Number ||
                chunk.Index != i || chunk.Data.Length != reference.ChunkLength(i))
            {
                throw Corrupted($"chunk {i} of snapshot {reference.Epoch}.{reference.Number} is missing, misplaced or of the wrong length.");
            }

            chunk.Data.Span.CopyTo(data.AsSpan((int)reference.ChunkOffset(i)));
        });

        if (!SHA256.HashData(data).AsSpan().SequenceEqual(reference.Sha256))
        {
            throw Corrupted($"snapshot {reference.Epoch}.{reference.Number} does not match its checksum.");
        }

        return data;
    }
}
