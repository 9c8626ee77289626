using Orleans.Storage;

namespace OrleansRaft.Integration.Tests.Infrastructure;

/// <summary>The process died: thrown in place of a storage call once a simulated crash has happened.</summary>
public sealed class SimulatedCrashException(string message) : Exception(message);

/// <summary>
/// Wraps a grain storage provider, counts its writes (writes and clears) and can crash the "process" at the
/// n-th one: either before that write reaches storage, or after it landed but before the caller hears of it.
/// After the crash every call fails, as nothing of a dead process reaches storage any more.
/// </summary>
public sealed class FaultInjectingGrainStorage(IGrainStorage inner) : IGrainStorage
{
    private int _writes;
    private int _crashAt;
    private bool _crashAfterWrite;
    private volatile bool _crashed;

    /// <summary>Writes since the last <see cref="Arm"/> (or since creation).</summary>
    public int Writes => Volatile.Read(ref _writes);

    public bool Crashed => _crashed;

    /// <summary>Restarts the count, and crashes at write number <paramref name="crashAt"/> (1-based; 0 never).</summary>
    public void Arm(int crashAt, bool crashAfterWrite)
    {
        Volatile.Write(ref _writes, 0);
        _crashAt = crashAt;
        _crashAfterWrite = crashAfterWrite;
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ThrowIfCrashed();
        return inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken);
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        Write($"write {stateName}/{grainId}", () => inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        Write($"clear {stateName}/{grainId}", () => inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken));

    private async Task Write(string what, Func<Task> write)
    {
        ThrowIfCrashed();
        var number = Interlocked.Increment(ref _writes);
        var crashHere = number == _crashAt;
        if (crashHere && !_crashAfterWrite)
        {
            _crashed = true;
            throw new SimulatedCrashException($"Crashed before write {number} ({what}).");
        }

        await write();
        if (crashHere)
        {
            _crashed = true;
            throw new SimulatedCrashException($"Crashed after write {number} ({what}) landed.");
        }
    }

    private void ThrowIfCrashed()
    {
        if (_crashed)
        {
            throw new SimulatedCrashException("The process has crashed.");
        }
    }
}
