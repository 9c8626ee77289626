using System.Buffers.Binary;
using OrleansRaft.Abstractions;

namespace OrleansRaft.Hosting.Tests.Infrastructure;

/// <summary>
/// A state machine that remembers every command it applied, with its index. Each command's result is the number of
/// commands applied so far; a query returns the whole sequence (<see cref="Decode"/>), so tests can compare members.
/// </summary>
public sealed class SequenceStateMachine : IRaftStateMachine
{
    public const string TypeName = "sequence";

    private readonly List<RaftCommittedEntry> _applied = [];

    public void Apply(IReadOnlyList<RaftCommittedEntry> commands, Span<ReadOnlyMemory<byte>> results)
    {
        for (var i = 0; i < commands.Count; i++)
        {
            if (_applied.Count > 0 && commands[i].Index <= _applied[^1].Index)
            {
                throw new InvalidOperationException($"Index {commands[i].Index} applied after {_applied[^1].Index}.");
            }

            _applied.Add(commands[i] with { Data = commands[i].Data.ToArray() });
            var result = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(result, _applied.Count);
            results[i] = result;
        }
    }

    public ReadOnlyMemory<byte> Query(ReadOnlyMemory<byte> query) => Snapshot();

    public ReadOnlyMemory<byte> Snapshot()
    {
        var size = _applied.Sum(e => 20 + e.Data.Length);
        var bytes = new byte[size];
        var offset = 0;
        foreach (var entry in _applied)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(offset), entry.Index);
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(offset + 8), entry.Term);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset + 16), entry.Data.Length);
            entry.Data.Span.CopyTo(bytes.AsSpan(offset + 20));
            offset += 20 + entry.Data.Length;
        }

        return bytes;
    }

    public void Restore(ReadOnlyMemory<byte> snapshot)
    {
        _applied.Clear();
        _applied.AddRange(Decode(snapshot));
    }

    public static List<RaftCommittedEntry> Decode(ReadOnlyMemory<byte> bytes)
    {
        var entries = new List<RaftCommittedEntry>();
        var span = bytes.Span;
        var offset = 0;
        while (offset < span.Length)
        {
            var index = BinaryPrimitives.ReadUInt64LittleEndian(span[offset..]);
            var term = BinaryPrimitives.ReadUInt64LittleEndian(span[(offset + 8)..]);
            var length = BinaryPrimitives.ReadInt32LittleEndian(span[(offset + 16)..]);
            entries.Add(new RaftCommittedEntry(index, term, span.Slice(offset + 20, length).ToArray()));
            offset += 20 + length;
        }

        return entries;
    }
}
