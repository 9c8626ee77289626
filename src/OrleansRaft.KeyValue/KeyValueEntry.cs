using System.Text;

namespace OrleansRaft.KeyValue;

/// <summary>
/// A key's value at one revision. <see cref="CreateRevision"/> is the revision that created the key (since its last
/// delete), <see cref="ModRevision"/> the revision that wrote this value, and <see cref="Version"/> counts the puts
/// since creation (1 for the first). Instances are immutable and shared with the store: do not write through
/// <see cref="System.Runtime.InteropServices.MemoryMarshal"/>. Equality compares contents.
/// </summary>
public sealed class KeyValueEntry : IEquatable<KeyValueEntry>
{
    public KeyValueEntry(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, long createRevision, long modRevision, long version, long lease)
    {
        Key = key;
        Value = value;
        CreateRevision = createRevision;
        ModRevision = modRevision;
        Version = version;
        Lease = lease;
    }

    public ReadOnlyMemory<byte> Key { get; }

    public ReadOnlyMemory<byte> Value { get; }

    public long CreateRevision { get; }

    public long ModRevision { get; }

    public long Version { get; }

    /// <summary>The lease the key is attached to, 0 for none.</summary>
    public long Lease { get; }

    public bool Equals(KeyValueEntry? other) =>
        other is not null
        && CreateRevision == other.CreateRevision
        && ModRevision == other.ModRevision
        && Version == other.Version
        && Lease == other.Lease
        && Key.Span.SequenceEqual(other.Key.Span)
        && Value.Span.SequenceEqual(other.Value.Span);

    public override bool Equals(object? obj) => Equals(obj as KeyValueEntry);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Key.Span);
        hash.Add(ModRevision);
        return hash.ToHashCode();
    }

    public override string ToString() =>
        $"{KvBytes.Show(Key.Span)}={KvBytes.Show(Value.Span)} (create {CreateRevision}, mod {ModRevision}, version {Version}, lease {Lease})";

    internal KeyValueEntry WithoutValue() => new(Key, ReadOnlyMemory<byte>.Empty, CreateRevision, ModRevision, Version, Lease);

    internal long ByteSize(bool keysOnly) => Key.Length + (keysOnly ? 0 : Value.Length);
}

/// <summary>Helpers for byte-string keys and values.</summary>
public static class KvBytes
{
    /// <summary>The UTF-8 bytes of <paramref name="text"/>.</summary>
    public static byte[] From(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The bytes as UTF-8 text (invalid sequences become U+FFFD).</summary>
    public static string ToText(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    /// <summary>Printable ASCII as is, anything else as \xNN: for messages and debugging.</summary>
    public static string Show(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length + 2);
        text.Append('"');
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and < 0x7f && b != (byte)'"' && b != (byte)'\\')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return text.Append('"').ToString();
    }

    /// <summary>Ordinal byte order: the order of keys in the store.</summary>
    public static int Compare(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) => left.SequenceCompareTo(right);
}
