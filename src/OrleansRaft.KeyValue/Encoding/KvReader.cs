using System.Buffers.Binary;
using System.Text;

namespace OrleansRaft.KeyValue;

/// <summary>
/// Reads what <see cref="KvWriter"/> writes, checking every bound: a truncated, overlong or otherwise malformed input
/// raises <see cref="KvException"/> with <see cref="KvErrorCode.MalformedRequest"/>, never another exception and never
/// an allocation larger than the input.
/// </summary>
internal ref struct KvReader
{
    private readonly ReadOnlySpan<byte> data;
    private int position;

    public KvReader(ReadOnlySpan<byte> data)
    {
        this.data = data;
    }

    public readonly int Remaining => data.Length - position;

    public byte Byte()
    {
        if (position >= data.Length)
        {
            throw Malformed("the input ends early");
        }

        return data[position++];
    }

    public bool Bool() => Byte() switch
    {
        0 => false,
        1 => true,
        var b => throw Malformed($"a boolean is {b}"),
    };

    public ulong UVar()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Byte();
            if (shift == 63 && b > 1)
            {
                throw Malformed("a varint overflows 64 bits");
            }

            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Malformed("a varint is longer than 10 bytes");
    }

    public long Var()
    {
        var raw = UVar();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public int Int()
    {
        var value = Var();
        if (value is < int.MinValue or > int.MaxValue)
        {
            throw Malformed(FormattableString.Invariant($"{value} does not fit 32 bits"));
        }

        return (int)value;
    }

    /// <summary>A count of items that each take at least one byte, so it cannot exceed what is left.</summary>
    public int Count()
    {
        var count = UVar();
        if (count > (ulong)Remaining)
        {
            throw Malformed($"a count of {count} exceeds the {Remaining} bytes left");
        }

        return (int)count;
    }

    public byte[] Bytes() => Span().ToArray();

    public ReadOnlySpan<byte> Span()
    {
        var count = Count();
        var span = data.Slice(position, count);
        position += count;
        return span;
    }

    public string String()
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Span());
        }
        catch (DecoderFallbackException)
        {
            throw Malformed("a string is not UTF-8");
        }
    }

    public ulong Fixed64()
    {
        if (Remaining < 8)
        {
            throw Malformed("the input ends early");
        }

        var value = BinaryPrimitives.ReadUInt64LittleEndian(data[position..]);
        position += 8;
        return value;
    }

    public readonly void End()
    {
        if (position != data.Length)
        {
            throw Malformed($"{data.Length - position} bytes follow the end");
        }
    }

    public static KvException Malformed(string message) => new(KvErrorCode.MalformedRequest, "malformed input: " + message);
}
