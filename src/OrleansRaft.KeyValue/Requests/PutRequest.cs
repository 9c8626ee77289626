namespace OrleansRaft.KeyValue;

/// <summary>Sets a key's value. Each put raises the key's version; a put on a missing key creates it.</summary>
public sealed class PutRequest : KvRequest
{
    public PutRequest(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value)
    {
        Key = key;
        Value = value;
    }

    public ReadOnlyMemory<byte> Key { get; }

    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>The lease to attach the key to; 0 detaches it. The lease must exist.</summary>
    public long Lease { get; init; }

    /// <summary>Return the key-value as it was before this put.</summary>
    public bool PrevKv { get; init; }

    /// <summary>Keep the current value (the key must exist, and <see cref="Value"/> must be empty).</summary>
    public bool IgnoreValue { get; init; }

    /// <summary>Keep the current lease (the key must exist, and <see cref="Lease"/> must be 0).</summary>
    public bool IgnoreLease { get; init; }

    internal override KvRequestKind Kind => KvRequestKind.Put;
}
