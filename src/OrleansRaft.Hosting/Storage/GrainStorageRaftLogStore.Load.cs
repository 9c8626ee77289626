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
                    // Another instance claimed or wrote while this one loaded: read everything again.
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

    public async Task CheckClaimAsync(CancellationToken cancellationToken = default)
    {
        EnsureUsable(cancellationToken);

        // Every load raises the manifest's epoch before it does anything else, and nothing but a load changes it. The
        // manifest outlives even a deletion of the log, as its tombstone.
        var stored = await ReadAsync<LogManifest>(ManifestStateName, _member, cancellationToken);
        var conflict = stored.Value switch
        {
            null => new RaftLogConflictException(_member, $"this instance loaded as claim {_epoch}, and the log's manifest is gone."),
            { Epoch: var epoch } when epoch > _epoch => new RaftLogConflictException(_member, $"this instance loaded as claim {_epoch}, the log is now at claim {epoch}."),
            _ => null,
        };
        if (conflict is not null)
        {
            _faulted = true;
            LogMessages.Fenced(_logger, _member, _epoch, conflict);
            throw conflict;
        }
    }

    /// <summary>
    /// Claims the log and rebuilds it. Fields are assigned only at the end, so a lost race leaves nothing behind
    /// but records that the next attempt reads (a fence, a manifest with a higher epoch). A race is lost with an
    /// <see cref="InconsistentStateException"/>, which <see cref="LoadAsync"/> answers by claiming again.
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
        var (batches, seenUpTo) = await Scan(manifest.FirstSeq, cancellationToken);
        CheckClaims(batches, manifest.FirstSeq, epoch);

        // The fence: an older instance's next batch would go exactly here.
        var (fenceSeq, fenceETag) = await PlaceFence(batches, manifest.FirstSeq, seenUpTo, epoch, cancellationToken);

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

        foreach (var (batch, etag) in batches)
        {
            infos.Add(new BatchInfo(etag, batch.IsFence));
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

    /// <summary>
    /// Reads batch records from <paramref name="firstSeq"/> up to the first missing one, a growing window at a
    /// time. Returns them, and the highest sequence number seen to exist (-1 when none), which may lie beyond.
    /// </summary>
    /// <remarks>
    /// From the manifest's first sequence number on, a batch record is inserted only once the one before it
    /// exists, and it is never deleted. So when a window finds batch <c>X</c> missing but a later one present,
    /// an older instance appended while the window was read: <c>X</c> exists by now, and the scan goes on from
    /// it. A batch missing once a later one was seen in an earlier window is a hole in the log. An instance
    /// that appends on and on can keep the scan chasing it; after <see cref="GrainStorageRaftLogStoreOptions.LoadWindow"/>
    /// such races the scan stops, and <see cref="PlaceFence"/> deals with the batches the writer adds.
    /// </remarks>
    private async Task<(List<(LogBatchRecord Batch, string? ETag)> Found, long SeenUpTo)> Scan(long firstSeq, CancellationToken cancellationToken)
    {
        var found = new List<(LogBatchRecord, string?)>();
        var seenUpTo = -1L;
        var seq = firstSeq;
        var window = Math.Min(4, _options.LoadWindow);
        var races = 0;
        while (true)
        {
            var reads = new Task<Stored<LogBatchRecord>>[window];
            for (var i = 0; i < window; i++)
            {
                reads[i] = ReadAsync<LogBatchRecord>(BatchStateName, BatchKey(seq + i), cancellationToken);
            }

            var states = await Task.WhenAll(reads);
            var missing = Array.FindIndex(states, s => s.Value is null);
            if (missing >= 0 && seq + missing < seenUpTo)
            {
                throw Corrupted($"the batch {seq + missing} is missing but {seenUpTo} exists.");
            }

            var last = Array.FindLastIndex(states, s => s.Value is not null);
            seenUpTo = Math.Max(seenUpTo, last < 0 ? -1 : seq + last);
            for (var i = 0; i < (missing < 0 ? window : missing); i++)
            {
                found.Add((states[i].Value!, states[i].ETag));
            }

            if (missing < 0)
            {
                seq += window;
                window = Math.Min(window * 2, _options.LoadWindow);
            }
            else if (last > missing && races++ < _options.LoadWindow)
            {
                seq += missing;
            }
            else
            {
                return (found, seenUpTo);
            }
        }
    }

    /// <summary>
    /// Inserts this claim's fence at the first free sequence number after <paramref name="batches"/>, and adds to
    /// them the batches it had to step over.
    /// </summary>
    /// <remarks>
    /// A sequence number taken since the scan holds the batch of an older instance still appending (acknowledged
    /// to it, so part of the log) or another claim's fence: the fence tries the next one, so that no sequence
    /// number below it stays free. The taken ones are read once the fence stands, when no older instance can add
    /// any more. A fence that lands below a batch seen to exist filled a hole: the log is corrupted. An older
    /// instance that wins <see cref="MaxFenceSteps"/> races in a row makes the load fail with a conflict.
    /// </remarks>
    private async Task<(long Seq, string? ETag)> PlaceFence(
        List<(LogBatchRecord Batch, string? ETag)> batches, long firstSeq, long seenUpTo, ulong epoch, CancellationToken cancellationToken)
    {
        var start = firstSeq + batches.Count;
        var seq = start;
        string? etag;
        while (true)
        {
            try
            {
                etag = await WriteAsync(BatchStateName, BatchKey(seq), new LogBatchRecord { Seq = seq, Epoch = epoch, IsFence = true }, null, cancellationToken);
                break;
            }
            catch (InconsistentStateException e)
            {
                if (++seq - start == MaxFenceSteps)
                {
                    throw new RaftLogConflictException(_member, $"an older instance kept appending past {MaxFenceSteps} attempts to fence it.", e);
                }
            }
        }

        if (seq < seenUpTo)
        {
            throw Corrupted($"the batch {seq} was missing but {seenUpTo} exists.");
        }

        var reads = new Task<Stored<LogBatchRecord>>[seq - start];
        for (var i = 0; i < reads.Length; i++)
        {
            reads[i] = ReadAsync<LogBatchRecord>(BatchStateName, BatchKey(start + i), cancellationToken);
        }

        var taken = await Task.WhenAll(reads);
        for (var i = 0; i < taken.Length; i++)
        {
            var batch = taken[i].Value ?? throw Corrupted($"the batch {start + i} could not be inserted, yet it does not exist.");
            batches.Add((batch, taken[i].ETag));
        }

        CheckClaims(batches, firstSeq, epoch, from: (int)(start - firstSeq));
        return (seq, etag);
    }

    /// <summary>
    /// Checks that each batch from index <paramref name="from"/> on sits where it says, and was written under an
    /// older claim than <paramref name="epoch"/>. A newer claim means another instance loaded since this one
    /// claimed: the claim is lost, and taken again.
    /// </summary>
    private void CheckClaims(List<(LogBatchRecord Batch, string? ETag)> batches, long firstSeq, ulong epoch, int from = 0)
    {
        for (var i = from; i < batches.Count; i++)
        {
            var batch = batches[i].Batch;
            var seq = firstSeq + i;
            if (batch.Epoch > epoch)
            {
                throw new InconsistentStateException(
                    $"the batch {seq} was written under claim {batch.Epoch}, after this load claimed {epoch}.");
            }

            if (batch.Seq != seq || batch.Epoch == epoch)
            {
                throw Corrupted($"the batch under sequence number {seq} says it is {batch.Seq} of claim {batch.Epoch} (loading as claim {epoch}).");
            }
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
