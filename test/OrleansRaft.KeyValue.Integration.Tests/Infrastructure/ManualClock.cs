namespace OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

/// <summary>A wall clock that moves only when a test moves it: for token expiry, which must not wait minutes.</summary>
public sealed class ManualClock : TimeProvider
{
    private long _ticks = DateTimeOffset.UtcNow.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
