using Orleans.Storage;
using OrleansRaft.Core;

namespace OrleansRaft.Hosting.Storage;

public sealed partial class GrainStorageRaftLogStore
{
    public async Task<RaftLogState> LoadAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_loaded || _faulted)
        {
            throw new InvalidOperationException($"This instance already loaded the log of {_member}; create a new one to load again.");
        }

        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException($"Calls to the log store of {_member} overlap; await each before the next.");
        }

        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await ClaimAndReplay(cancellationToken);
                }
                catch (InconsistentStateException e) when (attempt < _options.MaxClaimAttempts)
                {
                    // Another instance wrote between our read and our claim: read everything again.
                    LogMessages.ClaimRaced(_logger, _member, attempt, e);
                }
                catch (InconsistentStateException e)
                {
                    _faulted = true;
                    throw new RaftLogConflictException(_member, $"gave up claiming after {attempt} attempts.", e);
                }
                catch
                {
                    _faulted = true;
                    throw;
                }
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Claims the log and rebuilds it. Fields are assigned only at the end, so a lost race leaves nothing behind
    /// but records that the next attempt reads (a fence, a manifest with a higher epoch).
    /// </summary>
    private async Task<RaftLogState> ClaimAndReplay(CancellationToken cancellationToken)
    {
        var manifestState = await ReadAsync<LogManifest>(ManifestStateName, _member, cancellationToken);
        var stored = manifestState.Value ?? new LogManifest();
        CheckManifest(stored);

        // The claim: from here on an older instance cannot replace the manifest.
        var epoch = stored.Epoch + 1;
        var manifest = stored with { Epoch = epoch };
        var manifestETag = await WriteAsync(ManifestStateName, _member, manifest, manifestState.ETag, cancellationToken);

        var hardStateRecord = await ReadAsync<HardStateRecord>(HardStateStateName, _member, cancellationToken);
        var batches = await Scan(manifest.FirstSeq, cancellationToken);

        // The fence: an older instance's next batch would go exactly here.
        var fenceSeq = manifest.FirstSeq + batches.Count;
        var fence = new LogBatchRecord { Seq = fenceSeq, Epoch = epoch, IsFence = true };
        var fenceETag = await WriteAsync(BatchStateName, BatchKey(fenceSeq), fence, null, cancellationToken);

        var log = new LogCache();
        log.InstallSnapshot(manifest.ToSnapshotMetadata(), keepSuffix: false);
        var runs = new List<Run>();
        var infos = new List<BatchInfo>(batches.Count + 1);
        var latest = (Lsn: manifest.Lsn, HardState: manifest.HardState);
        var maxLsn = manifest.Lsn;
        if (hardStateRecord.Value is { } storedHardState)
        {
            maxLsn = Math.Max(maxLsn, storedHardState.Lsn);
            if (storedHardState.Lsn > latest.Lsn)
            {
                latest = (storedHardState.Lsn, storedHardState.HardState);
            }
        }

        for (var i = 0; i < batches.Count; i++)
        {
            var (batch, etag) = batches[i];
            var seq = manifest.FirstSeq + i;
            infos.Add(new BatchInfo(etag, batch.IsFence));
            if (batch.Seq != seq || batch.Epoch >= epoch)
            {
                throw Corrupted($"the batch under sequence number {seq} says it is {batch.Seq} of claim {batch.Epoch} (loading as claim {epoch}).");
            }

            if (batch.IsFence)
            {
                continue;
            }

            Replay(log, runs, batch);
            maxLsn = Math.Max(maxLsn, batch.Lsn);
            if (batch.Lsn > latest.Lsn)
            {
                latest = (batch.Lsn, batch.HardState);
            }
        }

        var hardState = latest.HardState.ToHardState();
        if (hardState.Commit > log.LastIndex)
        {
            throw Corrupted($"the hard state {hardState} commits past the last index {log.LastIndex}.");
        }

        log.HardState = hardState;

        // Takes the hard-state record from any older instance, with the hard state of the latest write.
        var lsn = maxLsn + 1;
        var hardStateETag = await WriteAsync(
            HardStateStateName, _member, new HardStateRecord(epoch, lsn, StoredHardState.From(hardState)), hardStateRecord.ETag, cancellationToken);
        infos.Add(new BatchInfo(fenceETag, IsFence: true));

        _log = log;
        _runs = runs;
        _batches = infos;
        _manifest = manifest;
        _manifestETag = manifestETag;
        _hardStateETag = hardStateETag;
        _epoch = epoch;
        _lsn = lsn;
        _nextSeq = fenceSeq + 1;
        if (manifest.HasGarbage)
        {
            await CollectLeftovers(cancellationToken);
        }

        _loaded = true;

        LogMessages.Loaded(_logger, _member, epoch, log.Snapshot.Index, log.LastIndex, batches.Count);
        return new RaftLogState(hardState, log.Snapshot, log.CopyEntries());
    }

    /// <summary>Reads batch records from <paramref name="firstSeq"/> up to the first missing one, a growing window at a time.</summary>
    private async Task<List<(LogBatchRecord Batch, string? ETag)>> Scan(long firstSeq, CancellationToken cancellationToken)
    {
        var found = new List<(LogBatchRecord, string?)>();
        var window = Math.Min(4, _options.LoadWindow);
        for (var seq = firstSeq; ; seq += window, window = Math.Min(window * 2, _options.LoadWindow))
        {
            var reads = new Task<Stored<LogBatchRecord>>[window];
            for (var i = 0; i < window; i++)
            {
                reads[i] = ReadAsync<LogBatchRecord>(BatchStateName, BatchKey(seq + i), cancellationToken);
            }

            var states = await Task.WhenAll(reads);
            var missing = Array.FindIndex(states, s => s.Value is null);
            for (var i = 0; i < (missing < 0 ? window : missing); i++)
            {
                found.Add((states[i].Value!, states[i].ETag));
            }

            if (missing < 0)
            {
                continue;
            }

            var after = Array.FindIndex(states, missing, s => s.Value is not null);
            if (after >= 0)
            {
                throw Corrupted($"the batch {seq + missing} is missing but {seq + after} exists.");
            }

            return found;
        }
    }

    /// <summary>Applies one stored batch to the log being rebuilt, with the checks its writer made.</summary>
    private void Replay(LogCache log, List<Run> runs, LogBatchRecord batch)
    {
        var entries = new Entry[batch.Entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            var stored = batch.Entries[i];
            if (!Enum.IsDefined((EntryType)stored.Type))
            {
                throw Corrupted($"the batch {batch.Seq} holds an entry of unknown type {stored.Type}.");
            }

            entries[i] = new Entry(stored.Term, batch.FirstIndex + (ulong)i, (EntryType)stored.Type, stored.Data);
        }

        var hardState = batch.HardState.ToHardState();
        try
        {
            if (entries.Length == 0)
            {
                log.CheckTruncate(batch.FirstIndex);
                log.CheckHardState(hardState, batch.FirstIndex - 1);
                log.TruncateFrom(batch.FirstIndex);
                TrimRuns(runs, batch.FirstIndex);
            }
            else
            {
                var skip = log.CheckAppend(entries, hardState);
                log.Append(entries, skip);
                if (skip < entries.Length)
                {
                    TrimRuns(runs, entries[skip].Index);
                    runs.Add(new Run(batch.Seq, entries[skip].Index));
                }
            }
        }
        catch (ArgumentException e)
        {
            throw Corrupted($"the batch {batch.Seq} does not follow from the ones before it: {e.Message}", e);
        }

        log.HardState = hardState;
    }

    private void CheckManifest(LogManifest manifest)
    {
        if ((manifest.SnapshotIndex == 0) != (manifest.SnapshotTerm == 0) || manifest.FirstSeq < 0 ||
            manifest.GarbageFromSeq > manifest.FirstSeq)
        {
            throw Corrupted($"the manifest is inconsistent (snapshot {manifest.SnapshotIndex}/{manifest.SnapshotTerm}, " +
                            $"first batch {manifest.FirstSeq}, garbage from {manifest.GarbageFromSeq}).");
        }

        try
        {
            _ = manifest.ToSnapshotMetadata();
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw Corrupted("the manifest's membership configuration cannot be decoded.", e);
        }
    }

    /// <summary>Drops the runs that start at or after <paramref name="fromIndex"/>.</summary>
    private static void TrimRuns(List<Run> runs, ulong fromIndex)
    {
        var keep = runs.Count;
        while (keep > 0 && runs[keep - 1].FirstIndex >= fromIndex)
        {
            keep--;
        }

        runs.RemoveRange(keep, runs.Count - keep);
    }

    private RaftLogCorruptedException Corrupted(string message, Exception? inner = null) => new(_member, message, inner);
}
