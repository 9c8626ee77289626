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
            var prepared = await TakePrepared();
            await Guarded(() => prepared is { } p && ReferenceEquals(p.Snapshot, snapshot)
                ? FlipTo(snapshot, p.Reference, keep, hardState ?? _log.HardState, cancellationToken)
                // Another snapshot overtook a prepared one (a leader's, installed on a follower): the manifest still
                // announces the prepared one, so the new one's write collects its chunks first, as a crash's leftovers.
                : WriteSnapshot(snapshot, keep, hardState ?? _log.HardState, cancellationToken));
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Writes the data of <paramref name="snapshot"/>, a snapshot of this member's own state, while appends and
    /// truncations go on; <see cref="InstallSnapshotAsync"/> of the same instance then only makes it the snapshot in
    /// force. The returned task completes once the data is durable; a failure faults the store.
    /// </summary>
    /// <remarks>
    /// It writes the manifest (to announce the snapshot) and chunk records, neither of which an append or truncation
    /// touches; the announcement comes first, so that a crash before the install leaves the chunks for the next load
    /// to collect. One snapshot is prepared at a time, and it must be installed (or overtaken by another install)
    /// before the next; <see cref="DeleteAllAsync"/> waits for it and drops it.
    /// </remarks>
    public Task PrepareSnapshotAsync(Snapshot snapshot, CancellationToken cancellationToken = default)
    {
        EnsureUsable(cancellationToken);
        ArgumentNullException.ThrowIfNull(snapshot);
        if (_prepared is not null)
        {
            throw new InvalidOperationException($"A snapshot of {_member} is prepared already; install it before preparing another.");
        }

        if (snapshot.Index <= _log.Snapshot.Index || snapshot.Index > _log.LastIndex)
        {
            throw new ArgumentException(
                $"A snapshot to prepare lies past the one in force ({_log.Snapshot.Index}) and within the log (up to {_log.LastIndex}); got {snapshot.Index}.",
                nameof(snapshot));
        }

        var written = WritePrepared(snapshot, cancellationToken);
        _prepared = new PreparedSnapshot(snapshot, written);
        return written;
    }

    private async Task<SnapshotRef> WritePrepared(Snapshot snapshot, CancellationToken cancellationToken)
    {
        // Hash a large snapshot off the caller's scheduler; the writes continue on it.
        var sha256 = await Task.Run(() => SHA256.HashData(snapshot.Data.Span), cancellationToken);
        SnapshotRef? reference = null;
        await Guarded(async () => reference = await WriteChunks(snapshot, sha256, cancellationToken));
        return reference!;
    }

    /// <summary>
    /// Takes the prepared snapshot once its data is written (null when there is none), so that no write of it runs
    /// past this; its failure is the caller's. Not cancellable: the writes it waits for would go on regardless.
    /// </summary>
    private async Task<(Snapshot Snapshot, SnapshotRef Reference)?> TakePrepared()
    {
        if (_prepared is not { } prepared)
        {
            return null;
        }

        _prepared = null;
        var reference = await prepared.Written;
        return (prepared.Snapshot, reference);
    }

    /// <summary>A snapshot whose data <see cref="PrepareSnapshotAsync"/> writes or wrote, not installed yet.</summary>
    private sealed record PreparedSnapshot(Snapshot Snapshot, Task<SnapshotRef> Written);

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
        var reference = await WriteChunks(snapshot, SHA256.HashData(snapshot.Data.Span), cancellationToken);
        await FlipTo(snapshot, reference, keepSuffix, hardState, cancellationToken);
    }

    /// <summary>Announces the snapshot in the manifest and writes its chunks.</summary>
    private async Task<SnapshotRef> WriteChunks(Snapshot snapshot, byte[] sha256, CancellationToken cancellationToken)
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
            sha256);

        var announced = _manifest with { Pending = reference, NextSnapshotNumber = reference.Number + 1 };
        _manifestETag = await WriteAsync(ManifestStateName, _member, announced, _manifestETag, cancellationToken);
        _manifest = announced;

        await ForEachBounded(reference.ChunkCount, _options.MaxParallelWrites, i =>
        {
            var chunk = new SnapshotChunkRecord(
                reference.Epoch, reference.Number, i, data.Slice((int)reference.ChunkOffset(i), reference.ChunkLength(i)));
            return WriteAsync(SnapshotStateName, ChunkKey(reference, i), chunk, null, cancellationToken);
        });
        return reference;
    }

    /// <summary>Makes the announced and written snapshot the one in force, then collects what it replaced in the background.</summary>
    private async Task FlipTo(Snapshot snapshot, SnapshotRef reference, bool keepSuffix, HardState hardState, CancellationToken cancellationToken)
    {
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
