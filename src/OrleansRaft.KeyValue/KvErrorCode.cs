namespace OrleansRaft.KeyValue;

/// <summary>
/// Why a request was refused. A refused request changes nothing but the session table (which remembers the refusal
/// so that a retry gets the same answer). The numbers are part of the encoding: never renumber.
/// </summary>
public enum KvErrorCode
{
    /// <summary>A field is out of its domain (a negative limit, an unknown enum value, a bad session stamp...).</summary>
    InvalidArgument = 1,

    /// <summary>A key is empty; every key has at least one byte.</summary>
    EmptyKey = 2,

    /// <summary>A key or range end exceeds <see cref="KvLimits.MaxKeyBytes"/>.</summary>
    KeyTooLarge = 3,

    /// <summary>A value exceeds <see cref="KvLimits.MaxValueBytes"/>.</summary>
    ValueTooLarge = 4,

    /// <summary>The command exceeds <see cref="KvLimits.MaxRequestBytes"/>.</summary>
    RequestTooLarge = 5,

    /// <summary>A transaction has more compares or operations than <see cref="KvLimits.MaxTxnOperations"/>.</summary>
    TooManyOperations = 6,

    /// <summary>Transactions are nested deeper than <see cref="KvLimits.MaxTxnDepth"/>.</summary>
    TxnTooDeep = 7,

    /// <summary>A transaction writes one key twice (two puts, or a put inside a deleted range).</summary>
    DuplicateKey = 8,

    /// <summary>The revision asked for is older than the compact revision.</summary>
    Compacted = 9,

    /// <summary>The revision asked for is newer than the current revision.</summary>
    FutureRevision = 10,

    /// <summary>A put with <c>IgnoreValue</c> or <c>IgnoreLease</c> names a key that does not exist.</summary>
    KeyNotFound = 11,

    /// <summary>A put sets <c>IgnoreValue</c> and also carries a value.</summary>
    ValueProvided = 12,

    /// <summary>A put sets <c>IgnoreLease</c> and also carries a lease.</summary>
    LeaseProvided = 13,

    /// <summary>The lease does not exist (never granted, revoked or expired).</summary>
    LeaseNotFound = 14,

    /// <summary>A grant names a lease id that is already in use.</summary>
    LeaseExists = 15,

    /// <summary>A grant asks for a TTL above <see cref="KvLimits.MaxLeaseTtlSeconds"/>.</summary>
    LeaseTtlTooLarge = 16,

    /// <summary>A grant would exceed <see cref="KvLimits.MaxLeases"/>.</summary>
    TooManyLeases = 17,

    /// <summary>The command's session is unknown: never opened, closed, or expired. Open a new one.</summary>
    SessionExpired = 18,

    /// <summary>The session no longer holds the result of this sequence number (acknowledged or evicted).</summary>
    SequenceDiscarded = 19,

    /// <summary>The bytes do not decode as a command or query of the supported format.</summary>
    MalformedRequest = 20,

    /// <summary>The bytes carry a format version this build does not know.</summary>
    UnsupportedFormat = 21,

    /// <summary>The request is a query (directory, events, lease queries, status) and cannot be applied as a command.</summary>
    NotACommand = 22,

    /// <summary>The request writes, so it must go through the log; it cannot be served as a query.</summary>
    NotAQuery = 23,

    /// <summary>A snapshot is truncated, fails its checksum, or holds an inconsistent state.</summary>
    InvalidSnapshot = 24,

    /// <summary>Authenticate while auth is disabled.</summary>
    AuthNotEnabled = 25,

    /// <summary>An unknown user, a wrong password, or a user without a password.</summary>
    AuthFailed = 26,

    /// <summary>Auth is enabled and the request carries no user; or a user add names none.</summary>
    UserEmpty = 27,

    /// <summary>The user does not exist.</summary>
    UserNotFound = 28,

    /// <summary>A user add names a user that exists.</summary>
    UserExists = 29,

    /// <summary>A role add names no role.</summary>
    RoleEmpty = 30,

    /// <summary>The role does not exist.</summary>
    RoleNotFound = 31,

    /// <summary>A role add names a role that exists.</summary>
    RoleExists = 32,

    /// <summary>A role revoke names a role the user does not hold.</summary>
    RoleNotGranted = 33,

    /// <summary>A permission revoke names a range the role has no permission on.</summary>
    PermissionNotGranted = 34,

    /// <summary>The user's roles do not allow the request (or it needs the root role).</summary>
    PermissionDenied = 35,

    /// <summary>Auth enable without a user <c>root</c>.</summary>
    RootUserNotExist = 36,

    /// <summary>Auth enable while the user <c>root</c> lacks the role <c>root</c>.</summary>
    RootRoleNotExist = 37,

    /// <summary>The change would lock root out while auth is enabled (delete root, revoke root's root role, delete the root role).</summary>
    InvalidAuthManagement = 38,

    /// <summary>The request's token is unknown, expired, or was issued before its user changed or auth was enabled again.</summary>
    InvalidAuthToken = 39,
}
