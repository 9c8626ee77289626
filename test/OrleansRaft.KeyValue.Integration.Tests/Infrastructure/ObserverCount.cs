using System.Diagnostics.Metrics;

namespace OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

/// <summary>
/// The number of commit observers subscribed to the members of one group, in every silo of this process, from the
/// <c>orleansraft.observers</c> counter. Start it before the group's first subscription.
/// </summary>
public sealed class ObserverCount : IDisposable
{
    private const string Instrument = "orleansraft.observers";
    private readonly string _groupId;
    private readonly MeterListener _listener = new();
    private long _value;

    public ObserverCount(string groupId)
    {
        _groupId = groupId;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == Instrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    public long Value => Interlocked.Read(ref _value);

    /// <summary>Waits until the count is <paramref name="expected"/>; fails after <see cref="KvCluster.Bound"/>.</summary>
    public Task WaitForAsync(long expected) =>
        KvCluster.WaitUntilAsync(() => Task.FromResult(Value == expected), $"{expected} observers of {_groupId} (now {Value})");

    private void OnMeasurement(Instrument instrument, long delta, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "orleansraft.group" && Equals(tag.Value, _groupId))
            {
                Interlocked.Add(ref _value, delta);
                return;
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
