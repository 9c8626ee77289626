using System.Globalization;
using Orleans.Storage;

namespace OrleansRaft.Hosting.Storage.Batching;

/// <summary>
/// A grain storage provider on PostgreSQL whose requests from all the grains of a silo share round trips and
/// commits (<see cref="StorageBatcher"/>): with many Raft groups on a silo, each log write costs a fraction of
/// one. Rows live in <c>raft_grain_state</c> (migration 0004); a clear deletes the row.
/// </summary>
/// <remarks>
/// ETags are the row's version. A write without an ETag only inserts and fails with
/// <see cref="InconsistentStateException"/> when the row exists; a write or clear with one acts only on the row at
/// exactly that version. A clear without an ETag succeeds only when there is no row.
/// </remarks>
public sealed class PostgresBatchingGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly string _name;
    private readonly string _serviceId;
    private readonly IGrainStorageSerializer _serializer;
    private readonly StorageBatcher _batcher;

    internal PostgresBatchingGrainStorage(string name, string serviceId, IGrainStorageSerializer serializer, StorageBatcher batcher)
    {
        _name = name;
        _serviceId = serviceId;
        _serializer = serializer;
        _batcher = batcher;
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var row = await Run(StorageOperationKind.Read, stateName, grainId, 0, null, cancellationToken);
        if (row is { Payload: { } payload } found)
        {
            grainState.State = _serializer.Deserialize<T>(new BinaryData(payload));
            grainState.ETag = Format(found.Version);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var payload = _serializer.Serialize(grainState.State).ToArray();
        var expected = Parse(grainState.ETag, stateName, grainId);
        var kind = expected is null ? StorageOperationKind.Insert : StorageOperationKind.Update;
        var row = await Run(kind, stateName, grainId, expected ?? 0, payload, cancellationToken)
            ?? throw Inconsistent(kind == StorageOperationKind.Insert ? "write" : "update", stateName, grainId, grainState.ETag);
        grainState.ETag = Format(row.Version);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var expected = Parse(grainState.ETag, stateName, grainId);
        if (expected is null)
        {
            if (await Run(StorageOperationKind.Probe, stateName, grainId, 0, null, cancellationToken) is not null)
            {
                throw Inconsistent("clear", stateName, grainId, null);
            }
        }
        else if (await Run(StorageOperationKind.Delete, stateName, grainId, expected.Value, null, cancellationToken) is null)
        {
            throw Inconsistent("clear", stateName, grainId, grainState.ETag);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        // Stops after the grains are gone (their last writes have gone through) and before storage is torn down.
        lifecycle.Subscribe($"{nameof(PostgresBatchingGrainStorage)}-{_name}", ServiceLifecycleStage.RuntimeStorageServices, _ => Task.CompletedTask, async _ => await _batcher.DisposeAsync());

    private Task<StorageRow?> Run(StorageOperationKind kind, string stateName, GrainId grainId, long version, byte[]? payload, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _batcher.Enqueue(new StorageOperation(kind, _serviceId, stateName, grainId.ToString(), version, payload, cancellationToken));
    }

    private long? Parse(string? etag, string stateName, GrainId grainId)
    {
        if (etag is null)
        {
            return null;
        }

        return long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw new InconsistentStateException(
                $"The storage provider '{_name}' cannot use ETag '{etag}' for {stateName} of {grainId}: its ETags are row versions.", etag, "");
    }

    private InconsistentStateException Inconsistent(string what, string stateName, GrainId grainId, string? etag) =>
        new($"The storage provider '{_name}' could not {what} {stateName} of {grainId}: " +
            (etag is null ? "the record already exists." : $"the record is no longer at version {etag}."), etag ?? "", "unknown");

    private static string Format(long version) => version.ToString(CultureInfo.InvariantCulture);
}
