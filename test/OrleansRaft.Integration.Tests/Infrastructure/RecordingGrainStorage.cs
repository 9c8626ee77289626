using System.Collections.Concurrent;
using Orleans.Storage;

namespace OrleansRaft.Integration.Tests.Infrastructure;

/// <summary>
/// Wraps a grain storage provider and remembers every record written or cleared through it, so that a test
/// can list what a provider without a listing of its own (Orleans' memory provider) still holds.
/// </summary>
public sealed class RecordingGrainStorage(IGrainStorage inner) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string StateName, GrainId GrainId), bool> _touched = new();

    /// <summary>Every record written or cleared so far, whether or not it still exists.</summary>
    public IReadOnlyCollection<(string StateName, GrainId GrainId)> Touched => _touched.Keys.ToList();

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        _touched[(stateName, grainId)] = true;
        return inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        _touched[(stateName, grainId)] = true;
        return inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken);
    }
}
