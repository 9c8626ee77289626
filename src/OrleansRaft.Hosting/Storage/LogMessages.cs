using Microsoft.Extensions.Logging;

namespace OrleansRaft.Hosting.Storage;

internal static partial class LogMessages
{
    [LoggerMessage(Level = LogLevel.Information,
        Message = "Loaded the Raft log of {Member} as claim {Epoch}: snapshot at {SnapshotIndex}, last index {LastIndex}, {Batches} batch records.")]
    public static partial void Loaded(ILogger logger, string member, ulong epoch, ulong snapshotIndex, ulong lastIndex, int batches);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Another writer changed the Raft log of {Member} while it loaded (attempt {Attempt}); loading again.")]
    public static partial void ClaimRaced(ILogger logger, string member, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "The Raft log of {Member} was claimed by another writer; this instance (claim {Epoch}) is fenced.")]
    public static partial void Fenced(ILogger logger, string member, ulong epoch, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug,
        Message = "Collected the Raft log records of {Member} replaced by a snapshot: {Chunks} snapshot chunks, {Batches} batches.")]
    public static partial void Collected(ILogger logger, string member, int chunks, int batches);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Collecting the Raft log records of {Member} replaced by a snapshot failed; the next snapshot install or load collects them.")]
    public static partial void CollectionFailed(ILogger logger, string member, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Count} PostgreSQL migrations: {Migrations}.")]
    public static partial void SchemaApplied(ILogger logger, int count, string migrations);
}
