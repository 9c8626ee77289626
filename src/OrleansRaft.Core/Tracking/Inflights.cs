namespace OrleansRaft.Core.Tracking;

/// <summary>
/// The last indexes of append messages sent to one follower and not yet acknowledged, oldest first.
/// A ring buffer bounded by <see cref="Capacity"/>: when it is full the leader stops sending.
/// </summary>
internal sealed class Inflights
{
    private readonly ulong[] _buffer;
    private int _start;

    public Inflights(int capacity) => _buffer = new ulong[capacity];

    public int Capacity => _buffer.Length;

    public int Count { get; private set; }

    public bool IsFull => Count == _buffer.Length;

    public void Add(ulong lastIndex)
    {
        if (IsFull)
        {
            throw new InvalidOperationException("Cannot add to a full inflight window.");
        }

        _buffer[(_start + Count) % _buffer.Length] = lastIndex;
        Count++;
    }

    /// <summary>Frees every message whose last index is at or below <paramref name="index"/>.</summary>
    public void FreeLessOrEqual(ulong index)
    {
        while (Count > 0 && _buffer[_start] <= index)
        {
            _start = (_start + 1) % _buffer.Length;
            Count--;
        }

        if (Count == 0)
        {
            _start = 0;
        }
    }

    /// <summary>Frees the oldest message, whatever its index.</summary>
    public void FreeFirst()
    {
        if (Count > 0)
        {
            FreeLessOrEqual(_buffer[_start]);
        }
    }

    public void Reset()
    {
        Count = 0;
        _start = 0;
    }
}
