using System.Buffers.Binary;
using System.Text;

namespace OrleansRaft.KeyValue;

/// <summary>
/// Appends the primitives of the binary format: unsigned LEB128 varints, zigzag varints for signed numbers, and byte
/// strings as a varint length followed by the bytes.
/// </summary>
internal sealed class KvWriter
{
    private byte[] buffer;
    private int length;

    public KvWriter(int capacity = 256)
    {
        buffer = new byte[Math.Max(capacity, 16)];
    }

    public int Length => length;

    public ReadOnlySpan<byte> Written => buffer.AsSpan(0, length);

    public byte[] ToArray() => buffer.AsSpan(0, length).ToArray();

    public void Byte(byte value)
    {
        Ensure(1);
        buffer[length++] = value;
    }

    public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    public void UVar(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            buffer[length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[length++] = (byte)value;
    }

    public void Var(long value) => UVar((ulong)((value << 1) ^ (value >> 63)));

    public void Bytes(ReadOnlySpan<byte> value)
    {
        UVar((ulong)value.Length);
        Raw(value);
    }

    public void String(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        UVar((ulong)count);
        Ensure(count);
        length += Encoding.UTF8.GetBytes(value, buffer.AsSpan(length));
    }

    public void Raw(ReadOnlySpan<byte> value)
    {
        Ensure(value.Length);
        value.CopyTo(buffer.AsSpan(length));
        length += value.Length;
    }

    public void Fixed64(ulong value)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(length), value);
        length += 8;
    }

    private void Ensure(int more)
    {
        if (length + more > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(checked(length + more), buffer.Length * 2));
        }
    }
}
