using System.Collections.Concurrent;
using Orleans.Storage;

namespace OrleansRaft.Integration.Tests.Infrastructure;

/// <summary>
/// Wraps a grain storage provider and runs a test's code at a chosen point of a caller's storage calls: before
/// the read of one record reaches storage, after it returned, or before a write of one record reaches storage.
/// Each hook runs once. This places another instance's writes exactly between two steps of a load, where real
/// timing would make them rare.
/// </summary>
public sealed class InterleavingGrainStorage(IGrainStorage inner) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string StateName, string Key), Func<Task>> _before = new();
    private readonly ConcurrentDictionary<(string StateName, string Key), Func<Task>> _after = new();
    private readonly ConcurrentDictionary<(string StateName, string Key), Func<Task>> _beforeWrite = new();

    /// <summary>Runs <paramref name="hook"/> before the next read of <paramref name="stateName"/>/<paramref name="key"/> goes to storage.</summary>
    public void BeforeRead(string stateName, string key, Func<Task> hook) => _before[(stateName, key)] = hook;

    /// <summary>Runs <paramref name="hook"/> once the next read of <paramref name="stateName"/>/<paramref name="key"/> has returned from storage.</summary>
    public void AfterRead(string stateName, string key, Func<Task> hook) => _after[(stateName, key)] = hook;

    /// <summary>Runs <paramref name="hook"/> before the next write of <paramref name="stateName"/>/<paramref name="key"/> goes to storage.</summary>
    public void BeforeWrite(string stateName, string key, Func<Task> hook) => _beforeWrite[(stateName, key)] = hook;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var record = (stateName, grainId.Key.ToString());
        if (_before.TryRemove(record, out var before))
        {
            await before();
        }

        await inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken);
        if (_after.TryRemove(record, out var after))
        {
            await after();
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        if (_beforeWrite.TryRemove((stateName, grainId.Key.ToString()), out var before))
        {
            await before();
        }

        await inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken);
}
