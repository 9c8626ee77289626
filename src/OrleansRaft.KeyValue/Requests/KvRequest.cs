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
    AsUser = 17,
    AuthEnable = 18,
    AuthDisable = 19,
    Authenticate = 20,
    UserAdd = 21,
    UserDelete = 22,
    UserChangePassword = 23,
    UserGrantRole = 24,
    UserRevokeRole = 25,
    UserGet = 26,
    UserList = 27,
    RoleAdd = 28,
    RoleDelete = 29,
    RoleGrantPermission = 30,
    RoleRevokePermission = 31,
    RoleGet = 32,
    RoleList = 33,
    AuthStatus = 34,
    PermissionCheck = 35,
    HashKv = 36,
    Snapshot = 37,
}
