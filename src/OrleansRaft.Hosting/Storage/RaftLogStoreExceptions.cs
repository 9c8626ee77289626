namespace OrleansRaft.Hosting.Storage;

/// <summary>A typed failure of an <see cref="IRaftLogStore"/>. It crosses grain calls with its fields.</summary>
[GenerateSerializer]
public abstract class RaftLogStoreException : Exception
{
    protected RaftLogStoreException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>The requested index lies before the snapshot: those entries were folded into it.</summary>
[GenerateSerializer, Alias("orleansraft.log-compacted")]
public sealed class RaftLogCompactedException : RaftLogStoreException
{
    public RaftLogCompactedException(ulong index, ulong firstIndex)
        : base($"Index {index} is compacted: the log starts at {firstIndex} (term readable from {firstIndex - 1}).")
    {
        Index = index;
        FirstIndex = firstIndex;
    }

    [Id(0)]
    public ulong Index { get; }

    [Id(1)]
    public ulong FirstIndex { get; }
}

/// <summary>Stored data does not form a valid log. The store does not guess: the member must not run on it.</summary>
[GenerateSerializer, Alias("orleansraft.log-corrupted")]
public sealed class RaftLogCorruptedException : RaftLogStoreException
{
    public RaftLogCorruptedException(string member, string message, Exception? innerException = null)
        : base($"The log of {member} is corrupted: {message}", innerException)
    {
        Member = member;
    }

    [Id(0)]
    public string Member { get; }
}

/// <summary>
/// Another instance claimed this member's log after this one loaded it (for example a second activation of
/// the member after its silo was declared dead). This instance is fenced for good: nothing it writes lands.
/// </summary>
[GenerateSerializer, Alias("orleansraft.log-conflict")]
public sealed class RaftLogConflictException : RaftLogStoreException
{
    public RaftLogConflictException(string member, string message, Exception? innerException = null)
        : base($"The log of {member} was claimed by another writer: {message}", innerException)
    {
        Member = member;
    }

    [Id(0)]
    public string Member { get; }
}
