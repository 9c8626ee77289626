using System.Collections.Concurrent;
using System.Globalization;
using Orleans.Storage;

namespace OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

/// <summary>
/// Grain storage held by the test process and shared by every silo, so that it outlives a killed silo (Orleans'
/// memory provider keeps its data in grains, which die with their silo). ETags follow the ADO.NET provider: a null
/// ETag inserts and fails if the record exists, a stale one fails. Records are kept by reference.
/// </summary>
public sealed class ProcessGrainStorage : IGrainStorage
{
    private readonly Dictionary<(string State, GrainId Id), (object? Value, long Version)> _records = [];
    private long _version;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (_records)
        {
            var exists = _records.TryGetValue((stateName, grainId), out var record);
            grainState.State = exists ? (T)record.Value! : default!;
            grainState.ETag = exists ? Tag(record.Version) : null;
            grainState.RecordExists = exists;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (_records)
        {
            var exists = _records.TryGetValue((stateName, grainId), out var current);
            if (grainState.ETag is null ? exists : !exists || Tag(current.Version) != grainState.ETag)
            {
                throw new InconsistentStateException($"ETag mismatch on {stateName}/{grainId}: expected {grainState.ETag ?? "no record"}.");
            }

            var version = ++_version;
            _records[(stateName, grainId)] = (grainState.State, version);
            grainState.ETag = Tag(version);
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (_records)
        {
            if (_records.TryGetValue((stateName, grainId), out var current) && grainState.ETag is { } expected && Tag(current.Version) != expected)
            {
                throw new InconsistentStateException($"ETag mismatch on clearing {stateName}/{grainId}.");
            }

            _records.Remove((stateName, grainId));
            grainState.ETag = null;
            grainState.RecordExists = false;
            grainState.State = default!;
        }

        return Task.CompletedTask;
    }

    private static string Tag(long version) => version.ToString(CultureInfo.InvariantCulture);
}
