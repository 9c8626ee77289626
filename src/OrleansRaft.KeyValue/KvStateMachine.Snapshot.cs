namespace OrleansRaft.KeyValue;

public sealed partial class KvStateMachine
{
    /// <summary>The length of the last snapshot taken, as the capacity to start the next one with.</summary>
    private int lastSnapshotLength;

    /// <summary>
    /// The whole state as bytes: keys with their retained history, leases, sessions with their results, the clock and
    /// the applied index. Equal states give equal bytes.
    /// </summary>
    public byte[] Snapshot()
    {
        // The next snapshot is about the size of the last one: starting there spares the writer its doublings, each a
        // copy of everything written so far.
        var bytes = SnapshotCodec.Write(state, (int)Math.Min(Array.MaxLength, lastSnapshotLength * 9L / 8));
        lastSnapshotLength = bytes.Length;
        return bytes;
    }

    /// <summary>Replaces the whole state with the one <paramref name="snapshot"/> holds.</summary>
    /// <exception cref="KvException">
    /// <see cref="KvErrorCode.InvalidSnapshot"/>: the bytes are not a consistent snapshot; the current state is kept.
    /// </exception>
    public void Restore(ReadOnlySpan<byte> snapshot) => state = SnapshotCodec.Read(snapshot);
}
