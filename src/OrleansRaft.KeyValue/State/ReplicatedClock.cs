namespace OrleansRaft.KeyValue;

/// <summary>
/// Time as the log tells it (see <see cref="TickRequest"/>): it moves only by differences between two ticks of the
/// same epoch, so it never goes back and never counts one span twice.
/// </summary>
internal struct ReplicatedClock
{
    /// <summary>
    /// The clock stops here (about 73 million years) rather than overflow: a deadline is at most this plus
    /// <see cref="KvLimits.MaxLeaseTtlSeconds"/> in milliseconds, which still fits 64 bits.
    /// </summary>
    public const long Max = long.MaxValue / 4;

    /// <summary>Milliseconds counted so far.</summary>
    public long Now;

    /// <summary>The epoch of the last tick that counted.</summary>
    public long Epoch;

    /// <summary>That tick's reading of its leader's clock.</summary>
    public long EpochReading;

    public void Tick(long epoch, long reading)
    {
        if (epoch > Epoch)
        {
            Epoch = epoch;
            EpochReading = reading;
        }
        else if (epoch == Epoch && reading > EpochReading)
        {
            Now = reading - EpochReading >= Max - Now ? Max : Now + (reading - EpochReading);
            EpochReading = reading;
        }
    }
}
