using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;
using OrleansRaft.Core;

namespace OrleansRaft.Hosting.Storage;

/// <summary>
/// An <see cref="IRaftLogStore"/> over any Orleans <see cref="IGrainStorage"/>, one storage record per write.
/// </summary>
/// <remarks>
/// <para><b>Records.</b> Under the member's key <c>M</c>:
/// <list type="bullet">
/// <item><c>raft-log</c> / <c>M/{seq}</c>: one batch per append or truncation, inserted once and never updated
/// (<see cref="LogBatchRecord"/>). An append is exactly one storage write whatever the log's length.</item>
/// <item><c>raft-hardstate</c> / <c>M</c>: the hard state when it changes without entries.</item>
/// <item><c>raft-manifest</c> / <c>M</c>: the snapshot in force and the first batch to replay
/// (<see cref="LogManifest"/>), written by snapshot installs and by loads, not by appends.</item>
/// <item><c>raft-snapshot</c> / <c>M/{epoch}.{n}/{chunk}</c>: snapshot data in chunks.</item>
/// </list></para>
///
/// <para><b>Loading</b> replays the batches from the manifest's first sequence number up to the first missing
/// one. The hard state is the one of the latest write: every record carries its write sequence number (LSN).</para>
///
/// <para><b>Crash safety.</b> Each write is one atomic record. A batch lands whole or not at all. A snapshot's
/// chunks are written before the manifest points at them, and the manifest announces them first, so a crash
/// leaves either the old snapshot in force or the new one; leftovers are collected by the next load.</para>
///
/// <para><b>Fencing.</b> A load increments the manifest's epoch (ETag-checked), inserts a fence batch at the
/// next free sequence number and rewrites the hard-state record (ETag-checked). An older instance then fails
/// on whichever it writes next: its next batch collides with the fence (batches are inserted, never
/// overwritten), and its manifest and hard-state ETags are stale. Fences are never deleted, not even by
/// <see cref="DeleteAllAsync"/>, so the collision stays there however far the log moves on. An older instance
/// that appends while the load runs only moves the fence on: the load steps over the batches it finds in the
/// fence's way and replays them. A load that meets a newer claim's batch claims again.</para>
/// </remarks>
public sealed partial class GrainStorageRaftLogStore : IRaftLogStore
{
    internal const string ManifestStateName = "raft-manifest";
    internal const string HardStateStateName = "raft-hardstate";
    internal const string BatchStateName = "raft-log";
    internal const string SnapshotStateName = "raft-snapshot";

    /// <summary>How many sequence numbers a load's fence tries, one after another, while an older instance takes them first.</summary>
    internal const int MaxFenceSteps = 256;

    private readonly IGrainStorage _storage;
    private readonly string _member;
    private readonly GrainStorageRaftLogStoreOptions _options;
    private readonly GrainType _grainType;
    private readonly ILogger _logger;

    private LogCache _log = new();
    private LogManifest _manifest = new();
    private string? _manifestETag;
    private string? _hardStateETag;
    private ulong _epoch;
    private ulong _lsn;
    private long _nextSeq;

    /// <summary>What is known of each batch record in <c>[_manifest.FirstSeq, _nextSeq)</c>, by offset from FirstSeq.</summary>
    private List<BatchInfo> _batches = [];

    /// <summary>Which batch wrote which entries after the snapshot, in index order (and so in sequence order).</summary>
    private List<Run> _runs = [];

    private Snapshot? _snapshot;

    /// <summary>The snapshot <see cref="PrepareSnapshotAsync"/> writes or wrote, until an install takes it.</summary>
    private PreparedSnapshot? _prepared;

    /// <summary>The collection of what the last snapshot install replaced; it never faults.</summary>
    private Task _collection = Task.CompletedTask;

    private bool _loaded;
    private bool _faulted;
    private int _busy;

    public GrainStorageRaftLogStore(IGrainStorage storage, string member, GrainStorageRaftLogStoreOptions? options = null, ILogger? logger = null)
    {
        _storage = storage ?? throw new ArgumentNullException(nameof(storage));
        ArgumentException.ThrowIfNullOrWhiteSpace(member);
        _member = member;
        _options = options ?? new GrainStorageRaftLogStoreOptions();
        _options.Validate();
        _grainType = GrainType.Create(_options.GrainType);
        _logger = logger ?? NullLogger.Instance;
    }

    public HardState HardState => _log.HardState;

    public SnapshotMetadata SnapshotMetadata => _log.Snapshot;

    public ulong FirstIndex => _log.FirstIndex;

    public ulong LastIndex => _log.LastIndex;

    /// <summary>Completes once the records replaced by the last snapshot install are collected, or their collection failed.</summary>
    internal Task Collection => _collection;

    public ValueTask<ulong> ReadTermAsync(ulong index, CancellationToken cancellationToken = default)
    {
        EnsureUsable(cancellationToken);
        return ValueTask.FromResult(_log.Term(index));
    }

    public ValueTask ReadEntriesAsync(ulong low, ulong high, ulong maxBytes, List<Entry> destination, CancellationToken cancellationToken = default)
    {
        EnsureUsable(cancellationToken);
        _log.ReadEntries(low, high, maxBytes, destination);
        return ValueTask.CompletedTask;
    }

    private readonly record struct BatchInfo(string? ETag, bool IsFence);

    private readonly record struct Run(long Seq, ulong FirstIndex);

    private string BatchKey(long seq) => $"{_member}/{seq}";

    private string ChunkKey(SnapshotRef snapshot, int index) => $"{_member}/{snapshot.Epoch}.{snapshot.Number}/{index}";

    private GrainId IdOf(string key) => GrainId.Create(_grainType, key);

    private void EnsureUsable(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_loaded)
        {
            throw new InvalidOperationException($"Load the log of {_member} before using it.");
        }

        if (_faulted)
        {
            throw new InvalidOperationException($"The log store of {_member} failed a write; load the member again with a new instance.");
        }
    }

    /// <summary>Marks the start of a write; calls must not overlap, and a faulted instance takes none.</summary>
    private void Enter(CancellationToken cancellationToken)
    {
        EnsureUsable(cancellationToken);
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException($"Calls to the log store of {_member} overlap; await each before the next.");
        }
    }

    private void Exit() => Volatile.Write(ref _busy, 0);

    /// <summary>Runs the storage writes of one call: any failure faults the instance, and a lost ETag race is a conflict.</summary>
    private async Task Guarded(Func<Task> writes)
    {
        try
        {
            await writes();
        }
        catch (InconsistentStateException e)
        {
            _faulted = true;
            LogMessages.Fenced(_logger, _member, _epoch, e);
            throw new RaftLogConflictException(_member, e.Message, e);
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

    /// <summary>A record as read: <see cref="Value"/> is null when the record does not exist; <see cref="ETag"/> may be set even then.</summary>
    private readonly record struct Stored<T>(T? Value, string? ETag)
        where T : class;

    private async Task<Stored<T>> ReadAsync<T>(string stateName, string key, CancellationToken cancellationToken)
        where T : class
    {
        var state = new GrainState<T>();
        try
        {
            await _storage.ReadStateAsync(stateName, IdOf(key), state, cancellationToken);
        }
        catch (Exception e) when (IsUndecodable(e))
        {
            throw new RaftLogCorruptedException(_member, $"the record {stateName}/{key} cannot be decoded.", e);
        }

        return new Stored<T>(state.RecordExists ? state.State : null, state.ETag);
    }

    /// <summary>Writes one record; a null <paramref name="etag"/> inserts it and fails if it exists. Returns the new ETag.</summary>
    private async Task<string?> WriteAsync<T>(string stateName, string key, T record, string? etag, CancellationToken cancellationToken)
    {
        var state = new GrainState<T>(record, etag!) { RecordExists = etag is not null };
        await _storage.WriteStateAsync(stateName, IdOf(key), state, cancellationToken);
        return state.ETag;
    }

    /// <summary>
    /// Clears one record at <paramref name="etag"/>. Returns the ETag the provider hands back: null where the
    /// record is gone, the row's next version where the provider keeps a cleared row (and then only a write
    /// carrying that version replaces it).
    /// </summary>
    private async Task<string?> DeleteAsync<T>(string stateName, string key, string? etag, CancellationToken cancellationToken)
        where T : class
    {
        var state = new GrainState<T> { ETag = etag, RecordExists = true };
        await _storage.ClearStateAsync(stateName, IdOf(key), state, cancellationToken);
        return state.ETag;
    }

    private static bool IsUndecodable(Exception e)
    {
        if (StorageFailures.IsUnavailable(e))
        {
            // A connection that broke while a record was read (Npgsql's EndOfStreamException, say) corrupted nothing.
            return false;
        }

        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is Orleans.Serialization.SerializerException or EndOfStreamException or InvalidCastException)
            {
                return true;
            }

            if (inner is AggregateException aggregate && aggregate.InnerExceptions.Any(IsUndecodable))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Runs <paramref name="body"/> for 0..count-1 with at most <paramref name="parallelism"/> in flight, on the caller's context.</summary>
    private static async Task ForEachBounded(int count, int parallelism, Func<int, Task> body)
    {
        var running = new List<Task>(Math.Min(count, parallelism));
        for (var i = 0; i < count; i++)
        {
            if (running.Count == parallelism)
            {
                var done = await Task.WhenAny(running);
                running.Remove(done);
                await done;
            }

            running.Add(body(i));
        }

        await Task.WhenAll(running);
    }
}
