using System.Globalization;
using Orleans.Storage;

namespace OrleansRaft.Cli.Tests.Infrastructure;

/// <summary>
/// Grain storage held by the test process and shared by every silo, so that a member's log and hard state outlive a
/// killed silo (Orleans' memory provider keeps its data in grains, which die with their silo). ETags are checked as
/// the ADO.NET provider checks them: a null ETag inserts, a stale one fails.
/// </summary>
public sealed class ProcessStorage : IGrainStorage
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
                throw new InconsistentStateException($"ETag mismatch on {stateName}/{grainId}.");
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
            _records.Remove((stateName, grainId));
            grainState.ETag = null;
            grainState.RecordExists = false;
            grainState.State = default!;
        }

        return Task.CompletedTask;
    }

    private static string Tag(long version) => version.ToString(CultureInfo.InvariantCulture);
}
