using Microsoft.Extensions.Logging;

namespace OrleansRaft.Etcd.Diagnostics;

/// <summary>The gateway's log messages.</summary>
internal static partial class EtcdLogMessages
{
    [LoggerMessage(Level = LogLevel.Information, Message = "etcd gateway connected to key-value group {Group} (members {Members}); cluster id {ClusterId:x16}.")]
    public static partial void Connected(ILogger logger, string group, string members, ulong clusterId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "etcd gateway could not refresh the status of group {Group}.")]
    public static partial void StatusRefreshFailed(ILogger logger, string group, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "etcd gateway could not refresh the status of group {Group} ({Reason}); it asks again on a later request.")]
    public static partial void StatusRefreshInterrupted(ILogger logger, string group, string reason);

    /// <summary>A failed refresh: without a stack trace when a stopping or dead silo explains it.</summary>
    public static void StatusRefreshFailedOrInterrupted(ILogger logger, string group, Exception exception)
    {
        if (OrleansRaft.Abstractions.RaftExpectedFailures.IsExpected(exception) || exception is OrleansRaft.Abstractions.RaftGroupNotFoundException)
        {
            StatusRefreshInterrupted(logger, group, exception.Message);
        }
        else
        {
            StatusRefreshFailed(logger, group, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "etcd gateway call {Method} failed unexpectedly.")]
    public static partial void CallFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "etcd gateway watch {WatchId} on {Key} failed to poll; it retries.")]
    public static partial void WatchPollFailed(ILogger logger, long watchId, string key, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "etcd gateway could not delete the key of a lock or campaign that stopped waiting in group {Group}; its lease ends it.")]
    public static partial void AbandonFailed(ILogger logger, string group, Exception exception);
    [LoggerMessage(Level = LogLevel.Information, Message = "etcd gateway refused authentication of user {User} for group {Group}: unknown user or wrong password.")]
    public static partial void AuthenticationFailed(ILogger logger, string group, string user);
}
