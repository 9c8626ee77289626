using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Mvcc = OrleansRaft.Etcd.Protocol.Mvcc;
using OrleansRaft.KeyValue;

namespace OrleansRaft.Etcd.Snapshots;

/// <summary>
/// A key-value store as etcd 3.4's backend holds it, in the file etcd's Maintenance.Snapshot streams: a bbolt database
/// followed by the SHA-256 of its bytes (which <c>etcdctl snapshot restore</c> checks). Bucket <c>key</c> holds every
/// retained version under etcd's revision key (8 bytes big-endian main revision, <c>_</c>, 8 bytes sub-revision; a
/// tombstone ends with <c>t</c>) with its <c>mvccpb.KeyValue</c>; <c>lease</c> every lease under its id with its
/// <c>leasepb.Lease</c>; <c>meta</c> the applied index as <c>consistent_index</c> and, once the store was compacted,
/// the compact revision as <c>scheduledCompactRev</c> and <c>finishedCompactRev</c>. The membership buckets are empty:
/// a restore names its own members.
/// </summary>
internal static class EtcdSnapshot
{
    private static readonly string[] EmptyBuckets = ["alarm", "auth", "authRoles", "authUsers", "cluster", "members", "members_removed"];

    public static byte[] Write(KvStateMachine store)
    {
        var keys = store.RetainedVersions().Select(v => (RevisionKey(v.Revision, v.Sub, tombstone: v.Kv is null), Value(v))).ToList();
        var leases = store.Leases().Select(l => (BigEndian(l.Id), Lease(l))).ToList();
        var meta = new List<(byte[], byte[])> { (Ascii("consistent_index"), BigEndian((long)store.AppliedIndex)) };
        if (store.CompactRevision > 0)
        {
            meta.Add((Ascii("scheduledCompactRev"), RevisionKey(store.CompactRevision, 0, tombstone: false)));
            meta.Add((Ascii("finishedCompactRev"), RevisionKey(store.CompactRevision, 0, tombstone: false)));
        }

        var buckets = new List<(byte[], IReadOnlyList<(byte[], byte[])>)> { (Ascii("key"), keys), (Ascii("lease"), leases), (Ascii("meta"), meta) };
        buckets.AddRange(EmptyBuckets.Select(name => (Ascii(name), (IReadOnlyList<(byte[], byte[])>)[])));
        var db = BoltFile.Write(buckets, Math.Max(1, store.AppliedIndex));
        var file = new byte[db.Length + SHA256.HashSizeInBytes];
        db.CopyTo(file, 0);
        SHA256.HashData(db, file.AsSpan(db.Length));
        return file;
    }

    private static byte[] Value(KvVersion version) =>
        (version.Kv is { } kv
            ? new Mvcc.KeyValue
            {
                Key = ByteString.CopyFrom(kv.Key.Span),
                CreateRevision = kv.CreateRevision,
                ModRevision = kv.ModRevision,
                Version = kv.Version,
                Value = ByteString.CopyFrom(kv.Value.Span),
                Lease = kv.Lease,
            }
            : new Mvcc.KeyValue { Key = ByteString.CopyFrom(version.Key.Span) }).ToByteArray();

    /// <summary>leasepb.Lease: ID = 1, TTL = 2, RemainingTTL = 3 (seconds), all int64.</summary>
    private static byte[] Lease(KvLeaseState lease)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        output.WriteTag(1, WireFormat.WireType.Varint);
        output.WriteInt64(lease.Id);
        output.WriteTag(2, WireFormat.WireType.Varint);
        output.WriteInt64(lease.TtlSeconds);
        if (lease.RemainingMilliseconds > 0)
        {
            output.WriteTag(3, WireFormat.WireType.Varint);
            output.WriteInt64((lease.RemainingMilliseconds + 999) / 1000);
        }

        output.Flush();
        return buffer.ToArray();
    }

    private static byte[] RevisionKey(long main, long sub, bool tombstone)
    {
        var key = new byte[tombstone ? 18 : 17];
        BinaryPrimitives.WriteInt64BigEndian(key, main);
        key[8] = (byte)'_';
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(9), sub);
        if (tombstone)
        {
            key[17] = (byte)'t';
        }

        return key;
    }

    private static byte[] BigEndian(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
