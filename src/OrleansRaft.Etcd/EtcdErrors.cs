using Grpc.Core;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.KeyValue;

namespace OrleansRaft.Etcd;

/// <summary>
/// The gRPC statuses the gateway answers with. Where etcd has an error for the same condition, the code and message
/// are etcd's own (its clients map errors back to typed ones by message).
/// </summary>
internal static class EtcdErrors
{
    public const string Compacted = "etcdserver: mvcc: required revision has been compacted";
    public const string FutureRevision = "etcdserver: mvcc: required revision is a future revision";
    public const string LeaseNotFound = "etcdserver: requested lease not found";
    public const string TimedOut = "etcdserver: request timed out";
    public const string PermissionDenied = "etcdserver: permission denied";

    /// <summary>A member's log storage did not answer; etcd has no such error (its disk is local), so the words are ours, in its style.</summary>
    public const string StorageUnavailable = "etcdserver: storage unavailable, retry";

    public static RpcException Unimplemented(string what) => new(new Status(StatusCode.Unimplemented, $"OrleansRaft etcd gateway: {what}"));

    /// <summary>
    /// What a client is told of a failure the gateway does not know: nothing of its type or message, which describe
    /// the gateway's insides; the gateway logs them.
    /// </summary>
    public const string InternalError = "OrleansRaft etcd gateway: internal error (the gateway logged its details)";

    public static RpcException InvalidArgument(string what) => new(new Status(StatusCode.InvalidArgument, $"OrleansRaft etcd gateway: {what}"));

    /// <summary>The status for an exception a handler let through, or null when it is not one the gateway knows.</summary>
    public static RpcException? From(Exception exception, CancellationToken callCancelled) => exception switch
    {
        RpcException rpc => rpc,
        KvRequestException refused => new RpcException(FromStore(refused.Code, refused.Message)),
        KvWatchCompactedException => new RpcException(new Status(StatusCode.OutOfRange, Compacted)),
        TimeoutException => new RpcException(new Status(StatusCode.Unavailable, TimedOut)),
        RaftStorageUnavailableException => new RpcException(new Status(StatusCode.Unavailable, StorageUnavailable)),
        RaftGroupNotFoundException missing => new RpcException(new Status(StatusCode.Unavailable, $"etcdserver: {missing.Message}")),
        OperationCanceledException when callCancelled.IsCancellationRequested => new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled.")),
        OrleansException orleans => new RpcException(new Status(StatusCode.Unavailable, $"etcdserver: the cluster did not answer: {orleans.Message}")),
        _ => null,
    };

    /// <summary>A store refusal as etcd would answer it.</summary>
    public static Status FromStore(KvErrorCode code, string message) => code switch
    {
        KvErrorCode.EmptyKey => new(StatusCode.InvalidArgument, "etcdserver: key is not provided"),
        KvErrorCode.KeyTooLarge or KvErrorCode.ValueTooLarge or KvErrorCode.RequestTooLarge => new(StatusCode.InvalidArgument, "etcdserver: request is too large"),
        KvErrorCode.TooManyOperations or KvErrorCode.TxnTooDeep => new(StatusCode.InvalidArgument, "etcdserver: too many operations in txn request"),
        KvErrorCode.DuplicateKey => new(StatusCode.InvalidArgument, "etcdserver: duplicate key given in txn request"),
        KvErrorCode.Compacted => new(StatusCode.OutOfRange, Compacted),
        KvErrorCode.FutureRevision => new(StatusCode.OutOfRange, FutureRevision),
        KvErrorCode.KeyNotFound => new(StatusCode.InvalidArgument, "etcdserver: key not found"),
        KvErrorCode.ValueProvided => new(StatusCode.InvalidArgument, "etcdserver: value is provided"),
        KvErrorCode.LeaseProvided => new(StatusCode.InvalidArgument, "etcdserver: lease is provided"),
        KvErrorCode.LeaseNotFound => new(StatusCode.NotFound, LeaseNotFound),
        KvErrorCode.LeaseExists => new(StatusCode.FailedPrecondition, "etcdserver: lease already exists"),
        KvErrorCode.LeaseTtlTooLarge => new(StatusCode.OutOfRange, "etcdserver: too large lease TTL"),
        KvErrorCode.TooManyLeases => new(StatusCode.ResourceExhausted, $"etcdserver: too many leases ({message})"),
        KvErrorCode.InvalidArgument => new(StatusCode.InvalidArgument, $"etcdserver: {message}"),
        KvErrorCode.RootUserNotExist => new(StatusCode.FailedPrecondition, "etcdserver: root user does not exist"),
        KvErrorCode.RootRoleNotExist => new(StatusCode.FailedPrecondition, "etcdserver: root user does not have root role"),
        KvErrorCode.UserExists => new(StatusCode.FailedPrecondition, "etcdserver: user name already exists"),
        KvErrorCode.UserEmpty => new(StatusCode.InvalidArgument, "etcdserver: user name is empty"),
        KvErrorCode.UserNotFound => new(StatusCode.FailedPrecondition, "etcdserver: user name not found"),
        KvErrorCode.RoleExists => new(StatusCode.FailedPrecondition, "etcdserver: role name already exists"),
        KvErrorCode.RoleNotFound => new(StatusCode.FailedPrecondition, "etcdserver: role name not found"),
        KvErrorCode.RoleEmpty => new(StatusCode.InvalidArgument, "etcdserver: role name is empty"),
        KvErrorCode.AuthFailed => new(StatusCode.InvalidArgument, "etcdserver: authentication failed, invalid user ID or password"),
        KvErrorCode.PermissionDenied => new(StatusCode.PermissionDenied, PermissionDenied),
        KvErrorCode.RoleNotGranted => new(StatusCode.FailedPrecondition, "etcdserver: role is not granted to the user"),
        KvErrorCode.PermissionNotGranted => new(StatusCode.FailedPrecondition, "etcdserver: permission is not granted to the role"),
        KvErrorCode.AuthNotEnabled => new(StatusCode.FailedPrecondition, "etcdserver: authentication is not enabled"),
        KvErrorCode.InvalidAuthToken => new(StatusCode.Unauthenticated, "etcdserver: invalid auth token"),
        KvErrorCode.InvalidAuthManagement => new(StatusCode.InvalidArgument, "etcdserver: invalid auth management"),

        // Session refusals reach a gateway caller only when the client's own retry failed too: a retry may succeed.
        KvErrorCode.SessionExpired or KvErrorCode.SequenceDiscarded => new(StatusCode.Unavailable, $"etcdserver: {message}"),
        _ => new(StatusCode.Internal, $"etcdserver: {code}: {message}"),
    };
}
