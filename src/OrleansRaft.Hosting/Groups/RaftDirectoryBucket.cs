using Orleans.Storage;

namespace OrleansRaft.Hosting.Groups;

/// <summary>
/// One record of the directory: the sorted ids of the groups whose <see cref="RaftDirectoryGrain.BucketOf"/> it holds,
/// and the changes waiting for its next write. Changes that arrive while a write is under way share the next one, so
/// a burst of creations costs a write per bucket per round trip, not one per group.
/// </summary>
/// <remarks>
/// Runs on its directory activation's scheduler: no two of its methods run at once, and state is only read and
/// replaced between awaits. Invariant: <see cref="Groups"/> is what this activation last read or wrote and is replaced,
/// never mutated, so an interleaved reader sees a whole list. A change completes once a write that contains it has
/// succeeded (or found it already there); a failed write fails its changes and makes the next write read the record
/// afresh, since another activation may have written it or the write may have landed anyway.
/// </remarks>
internal sealed class RaftDirectoryBucket(IGrainStorage storage, string stateName, GrainId recordId, Action changed)
{
    private List<Change> _pending = [];
    private bool _writing;
    private bool _stale = true;
    private string? _etag;
    private bool _exists;

    public string[] Groups { get; private set; } = [];

    /// <summary>Reads the record; the directory reads each bucket once, before any change.</summary>
    public async Task ReadAsync()
    {
        var state = new GrainState<RaftDirectoryRecord>();
        await storage.ReadStateAsync(stateName, recordId, state);
        Groups = state.RecordExists && state.State is { } record ? record.Groups : [];
        _etag = state.ETag;
        _exists = state.RecordExists;
        _stale = false;
    }

    /// <summary>Lists (<paramref name="add"/>) or unlists <paramref name="groupId"/>; completes once that is durable.</summary>
    public Task ChangeAsync(string groupId, bool add)
    {
        var change = new Change(groupId, add, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _pending.Add(change);
        if (!_writing)
        {
            _writing = true;
            _ = WriteChangesAsync();
        }

        return change.Done.Task;
    }

    private async Task WriteChangesAsync()
    {
        try
        {
            while (_pending.Count > 0)
            {
                var changes = _pending;
                _pending = [];
                try
                {
                    if (_stale)
                    {
                        await ReadAsync();
                    }

                    var next = Applied(Groups, changes);
                    if (next is not null)
                    {
                        await WriteAsync(next);
                    }

                    foreach (var change in changes)
                    {
                        change.Done.TrySetResult();
                    }
                }
                catch (Exception e)
                {
                    _stale = true;
                    foreach (var change in changes)
                    {
                        change.Done.TrySetException(e);
                    }
                }
            }
        }
        finally
        {
            _writing = false;
        }
    }

    /// <summary>The list after <paramref name="changes"/> in their order, or null when they change nothing.</summary>
    private static string[]? Applied(string[] groups, List<Change> changes)
    {
        var set = new SortedSet<string>(groups, StringComparer.Ordinal);
        var changedAny = false;
        foreach (var change in changes)
        {
            changedAny |= change.Add ? set.Add(change.GroupId) : set.Remove(change.GroupId);
        }

        return changedAny ? [.. set] : null;
    }

    private async Task WriteAsync(string[] groups)
    {
        var state = new GrainState<RaftDirectoryRecord>(new RaftDirectoryRecord(groups), _etag!) { RecordExists = _exists };
        await storage.WriteStateAsync(stateName, recordId, state);
        Groups = groups;
        _etag = state.ETag;
        _exists = true;
        changed();
    }

    private sealed record Change(string GroupId, bool Add, TaskCompletionSource Done);
}
