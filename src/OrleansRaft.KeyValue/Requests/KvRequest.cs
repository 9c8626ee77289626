namespace OrleansRaft.KeyValue;

/// <summary>
/// One operation on the store. Writes (put, delete, txn with writes, compact, lease and session operations, tick)
/// go through the log as a <see cref="KvCommand"/>; reads (range, read-only txn, directory listing, events, lease
/// queries, status) can also be served directly with <see cref="KvStateMachine.Query(KvRequest)"/> after ReadIndex.
/// Instances are immutable once handed over; byte fields are copied when the store keeps them.
/// </summary>
public abstract class KvRequest
{
    private protected KvRequest()
    {
    }

    internal abstract KvRequestKind Kind { get; }
}

/// <summary>The wire tag of each request type. Part of the encoding: never renumber.</summary>
internal enum KvRequestKind : byte
{
    Put = 1,
    Range = 2,
    DeleteRange = 3,
    Txn = 4,
    Compact = 5,
    LeaseGrant = 6,
    LeaseRevoke = 7,
    LeaseKeepAlive = 8,
    LeaseTimeToLive = 9,
    LeaseList = 10,
    Tick = 11,
    OpenSession = 12,
    CloseSession = 13,
    ListDirectory = 14,
    Events = 15,
    Status = 16,
    // After the auth kinds (17-35).
    HashKv = 36,
    Snapshot = 37,
}
