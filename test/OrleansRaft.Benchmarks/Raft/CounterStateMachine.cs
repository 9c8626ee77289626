using System.Buffers.Binary;
using OrleansRaft.Abstractions;

namespace OrleansRaft.Benchmarks.Raft;

/// <summary>The cheapest useful state machine: counts commands and answers each with the count.</summary>
internal sealed class CounterStateMachine : IRaftStateMachine
{
    public const string TypeName = "bench-counter";

    private long _count;

    public void Apply(IReadOnlyList<RaftCommittedEntry> commands, Span<ReadOnlyMemory<byte>> results)
    {
        for (var i = 0; i < commands.Count; i++)
        {
            results[i] = Encode(++_count);
        }
    }

    public ReadOnlyMemory<byte> Query(ReadOnlyMemory<byte> query) => Encode(_count);

    public ReadOnlyMemory<byte> Snapshot() => Encode(_count);

    public void Restore(ReadOnlyMemory<byte> snapshot) => _count = BinaryPrimitives.ReadInt64LittleEndian(snapshot.Span);

    private static byte[] Encode(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }
}
