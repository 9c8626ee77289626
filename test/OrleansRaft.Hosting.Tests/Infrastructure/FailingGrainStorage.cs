using System.Net.Sockets;
using Npgsql;
using Orleans.Storage;

namespace OrleansRaft.Hosting.Tests.Infrastructure;

/// <summary>
/// Grain storage that passes every request to <paramref name="inner"/> unless <see cref="Down"/> says its record's
/// database is down; then it fails as Npgsql fails when it cannot reach PostgreSQL, with an exception whose type a
/// client cannot deserialize.
/// </summary>
public sealed class FailingGrainStorage(IGrainStorage inner) : IGrainStorage
{
    /// <summary>Which records are unreachable, by state name and key; none by default.</summary>
    public Func<string, string, bool> Down { get; set; } = (_, _) => false;

    public int Failures => Volatile.Read(ref _failures);

    private int _failures;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Check(stateName, grainId) ?? inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Check(stateName, grainId) ?? inner.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Check(stateName, grainId) ?? inner.ClearStateAsync(stateName, grainId, grainState);

    private Task? Check(string stateName, GrainId grainId)
    {
        if (!Down(stateName, grainId.Key.ToString()!))
        {
            return null;
        }

        Interlocked.Increment(ref _failures);
        return Task.FromException(new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused)));
    }
}
