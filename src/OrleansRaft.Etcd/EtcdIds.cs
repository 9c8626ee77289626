using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OrleansRaft.Etcd;

/// <summary>
/// etcd's 64-bit cluster and member ids, derived from names so that they are stable across restarts and the same on
/// every gateway of a cluster: the first 8 bytes of SHA-256 of the name, never 0 (etcd reads 0 as "no member").
/// </summary>
internal static class EtcdIds
{
    public static ulong Cluster(string clusterName, string groupId) => Of($"{clusterName}\n{groupId}");

    public static ulong Member(string clusterName, string groupId, ulong raftMemberId) => Of($"{clusterName}\n{groupId}\n{raftMemberId}");

    private static ulong Of(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var id = BinaryPrimitives.ReadUInt64BigEndian(hash);
        return id == 0 ? 1 : id;
    }
}
