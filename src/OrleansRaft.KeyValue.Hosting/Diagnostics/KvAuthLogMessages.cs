using Microsoft.Extensions.Logging;

namespace OrleansRaft.KeyValue.Hosting.Diagnostics;

/// <summary>The key-value store's auth events on the silo. Neither a password nor a token ever appears in them.</summary>
internal static partial class KvAuthLogMessages
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Refused a request of group {GroupId} naming user {User}: {Reason}")]
    public static partial void RequestRefused(ILogger logger, string groupId, string user, string reason);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Authentication of user {User} of group {GroupId} failed: {Code}")]
    public static partial void AuthenticationFailed(ILogger logger, string groupId, string user, string code);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Issued a token to user {User} of group {GroupId} at auth revision {AuthRevision}")]
    public static partial void TokenIssued(ILogger logger, string groupId, string user, ulong authRevision);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "No token key is configured (KvAuth:TokenKey, or Raft:AdminToken): users of key-value groups cannot authenticate through this silo, and requests naming a user are refused")]
    public static partial void NoTokenKey(ILogger logger);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "Refused an admin call by user {User} of group {GroupId}: {Reason}")]
    public static partial void AdminRefused(ILogger logger, string groupId, string user, string reason);
}
