namespace OrleansRaft.Hosting.Storage;

public sealed partial class GrainStorageRaftLogStore
{
    /// <summary>
    /// Deletes every record of the member, the fences and the manifest included, so that nothing of it is left in
    /// storage. Only for a key that no instance will ever load again, such as the storage key of a deleted group's
    /// incarnation: without the fences and the manifest's epoch, an older instance that still runs could write into a
    /// member re-created under the same key (see <see cref="DeleteAllAsync"/>, which keeps them for that reason). Such
    /// an instance may still insert a batch afterwards; under a key nobody loads, it is an orphan row, never read.
    /// The instance cannot be used afterwards.
    /// </summary>
    /// <remarks>
    /// Fences below the first live batch are not listed anywhere, so every sequence number below the next one is read:
    /// the cost grows with the batches the member ever wrote, paid once, when the group is deleted.
    /// </remarks>
    public async ValueTask PurgeAsync(CancellationToken cancellationToken = default)
    {
        await DeleteAllAsync(cancellationToken);
        Enter(cancellationToken);
        try
        {
            await Guarded(async () =>
            {
                // What DeleteAllAsync left: fences, anywhere below the next sequence number, and the manifest.
                var end = _nextSeq;
                for (long from = 0; from < end; from += int.MaxValue)
                {
                    var count = (int)Math.Min(int.MaxValue, end - from);
                    var start = from;
                    await ForEachBounded(count, _options.MaxParallelWrites, async i =>
                    {
                        var key = BatchKey(start + i);
                        var state = await ReadAsync<LogBatchRecord>(BatchStateName, key, cancellationToken);
                        if (state.Value is not null)
                        {
                            await DeleteRecord<LogBatchRecord>(BatchStateName, key, state.ETag, cancellationToken);
                        }
                    });
                }

                await DeleteRecord<LogManifest>(ManifestStateName, _member, _manifestETag, cancellationToken);
                _manifestETag = null;
            });
        }
        finally
        {
            // Nothing is left to load from: the instance is done.
            _faulted = true;
            Exit();
        }
    }
}
