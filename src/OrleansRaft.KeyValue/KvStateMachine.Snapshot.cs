namespace OrleansRaft.KeyValue;

public sealed partial class KvStateMachine
{
    /// <summary>
    /// The whole state as bytes: keys with their retained history, leases, sessions with their results, the clock and
    /// the applied index. Equal states give equal bytes.
    /// </summary>
    public byte[] Snapshot() => SnapshotCodec.Write(state);

    /// <summary>Replaces the whole state with the one <paramref name="snapshot"/> holds.</summary>
    /// <exception cref="KvException">
    /// <see cref="KvErrorCode.InvalidSnapshot"/>: the bytes are not a consistent snapshot; the current state is kept.
    /// </exception>
    public void Restore(ReadOnlySpan<byte> snapshot) => state = SnapshotCodec.Read(snapshot);
}
