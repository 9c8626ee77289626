using System.Collections.Concurrent;
using System.Globalization;
using Orleans.Storage;

namespace OrleansRaft.Testing;

/// <summary>
/// Grain storage held by the test process and shared by every silo of an in-process cluster, so that it outlives
/// any silo: a killed silo's members come back elsewhere with their logs, as on PostgreSQL. (Orleans' memory provider
/// keeps its data in grains, which die with their silo, and OrleansRaft refuses it.) ETags behave as the ADO.NET
/// provider's: a null ETag inserts and fails if the record exists, a stale one fails. Records are kept by reference;
/// the log store writes immutable records.
/// </summary>
public sealed class RaftTestStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<(string State, GrainId Id), (object? Value, long Version)> _records = new();
    private long _version;

    /// <summary>How many records the storage holds.</summary>
    public int Count => _records.Count;

    /// <inheritdoc/>
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_records.TryGetValue((stateName, grainId), out var record))
        {
            grainState.State = (T)record.Value!;
            grainState.ETag = record.Version.ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = default!;
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = (stateName, grainId);
        var version = Interlocked.Increment(ref _version);
        lock (_records)
        {
            var exists = _records.TryGetValue(key, out var current);
            var expected = grainState.ETag;
            if (expected is null ? exists : !exists || current.Version.ToString(CultureInfo.InvariantCulture) != expected)
            {
                throw new InconsistentStateException($"ETag mismatch on {stateName}/{grainId}: expected {expected ?? "no record"}.");
            }

            _records[key] = (grainState.State, version);
        }

        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = (stateName, grainId);
        lock (_records)
        {
            if (_records.TryGetValue(key, out var current) && grainState.ETag is { } expected &&
                current.Version.ToString(CultureInfo.InvariantCulture) != expected)
            {
                throw new InconsistentStateException($"ETag mismatch on clearing {stateName}/{grainId}.");
            }

            _records.TryRemove(key, out _);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = default!;
        return Task.CompletedTask;
    }

    /// <summary>The records under keys starting with <paramref name="prefix"/>, as <c>state:grainId</c>, with their values.</summary>
    public (string Key, object? Value)[] Records(string prefix) =>
        _records.Where(r => r.Key.Id.Key.ToString()!.StartsWith(prefix, StringComparison.Ordinal))
            .Select(r => ($"{r.Key.State}:{r.Key.Id}", r.Value.Value))
            .ToArray();

    /// <summary>How many records exist whose key starts with <paramref name="prefix"/> under any of <paramref name="stateNames"/>.</summary>
    public int CountRecords(string prefix, params string[] stateNames) =>
        _records.Keys.Count(k => stateNames.Contains(k.State) && k.Id.Key.ToString()!.StartsWith(prefix, StringComparison.Ordinal));
}
