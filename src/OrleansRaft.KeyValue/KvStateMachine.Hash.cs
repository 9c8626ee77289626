using System.Buffers.Binary;
using System.Numerics;

namespace OrleansRaft.KeyValue;

public sealed partial class KvStateMachine
{
    /// <summary>See <see cref="HashKvResult"/>. Reads every retained version: O(versions).</summary>
    private HashKvResult RunHashKv(HashKvRequest request)
    {
        CheckReadRevision(request.Revision);
        var through = request.Revision == 0 ? state.Revision : request.Revision;
        var crc = uint.MaxValue;
        Span<byte> number = stackalloc byte[8];
        foreach (var history in state.Keys.Ascending(ReadOnlyMemory<byte>.Empty, null))
        {
            foreach (var version in history.Versions)
            {
                if (version.Revision > through)
                {
                    break;
                }

                crc = Crc(crc, history.Key.Span);
                crc = Crc(crc, number, version.Revision);
                crc = Crc(crc, number, version.Sub);
                if (version.Kv is { } kv)
                {
                    crc = Crc(crc, number, kv.CreateRevision);
                    crc = Crc(crc, number, kv.Version);
                    crc = Crc(crc, number, kv.Lease);
                    crc = Crc(crc, kv.Value.Span);
                }
                else
                {
                    crc = BitOperations.Crc32C(crc, (byte)'t');
                }
            }
        }

        return new HashKvResult(state.Revision, through, state.CompactRevision, ~crc);
    }

    /// <summary>See <see cref="StatusResult.DataBytes"/>. O(versions).</summary>
    private long DataBytes()
    {
        long bytes = 0;
        foreach (var history in state.Keys.Ascending(ReadOnlyMemory<byte>.Empty, null))
        {
            foreach (var version in history.Versions)
            {
                bytes += history.Key.Length + (version.Kv?.Value.Length ?? 0);
            }
        }

        return bytes;
    }

    private static uint Crc(uint crc, Span<byte> buffer, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(buffer, value);
        return Crc(crc, buffer);
    }

    private static uint Crc(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}
