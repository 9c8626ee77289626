using Orleans.Serialization;

namespace OrleansRaft.Abstractions;

/// <summary>
/// Encodes and decodes what a typed group's log, queries, answers and snapshots hold, with the Orleans serializer.
/// Bytes that do not decode throw <see cref="RaftDecodeException"/>, which names what was expected.
/// </summary>
public sealed class RaftTypedCodec(Serializer serializer)
{
    private readonly Serializer _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));

    public byte[] Encode<T>(T value) => _serializer.SerializeToArray(value);

    /// <summary>Decodes <paramref name="bytes"/> as a <typeparamref name="T"/>; <paramref name="what"/> names them in the error.</summary>
    public T Decode<T>(ReadOnlyMemory<byte> bytes, string what)
    {
        if (bytes.IsEmpty)
        {
            throw new RaftDecodeException($"{what} is empty, not a {typeof(T).Name}.");
        }

        T? value;
        try
        {
            value = _serializer.Deserialize<T>(bytes);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever the serializer throws for foreign bytes (unknown types, bad lengths, wrong fields) means the same here.
            throw new RaftDecodeException($"{what} ({bytes.Length} bytes) could not be decoded as a {typeof(T).Name}: {e.Message}");
        }

        return value ?? throw new RaftDecodeException($"{what} decoded as null, not a {typeof(T).Name}.");
    }
}

/// <summary>Bytes of a typed group (an entry, a query, an answer, a snapshot) that are not of the types it expects.</summary>
[GenerateSerializer, Alias("orleansraft.decode-failed")]
public sealed class RaftDecodeException : Exception
{
    public RaftDecodeException(string message)
        : base(message)
    {
    }
}

/// <summary>The snapshot of a typed group: its client sessions and the state machine's state, serialized.</summary>
[GenerateSerializer, Immutable, Alias("orleansraft.typed-snapshot")]
public sealed record RaftTypedSnapshot(
    [property: Id(0)] RaftSessionTable Sessions,
    [property: Id(1)] ReadOnlyMemory<byte> State);
