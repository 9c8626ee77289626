namespace OrleansRaft.Abstractions;

/// <summary>
/// Bounds of the client sessions a typed group keeps. They decide whether a command applies, so every member of a
/// group, and every subscriber that follows it (<see cref="RaftSessionTable"/>), must use the same ones.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansraft.session-limits")]
public sealed record RaftSessionLimits
{
    public static RaftSessionLimits Default { get; } = new();

    /// <summary>Most open sessions; opening one more evicts the least recently used.</summary>
    [Id(0)]
    public int MaxSessions { get; init; } = 1024;

    /// <summary>
    /// Most results kept per session; beyond it the lowest sequence's is dropped. Keep a client's session window
    /// below it (<c>RaftClientOptions.SessionWindow</c>).
    /// </summary>
    [Id(1)]
    public int MaxResultsPerSession { get; init; } = 256;

    public void Validate()
    {
        if (MaxSessions < 1 || MaxResultsPerSession < 1)
        {
            throw new ArgumentException(
                $"RaftSessionLimits: MaxSessions ({MaxSessions}) and MaxResultsPerSession ({MaxResultsPerSession}) must be positive.");
        }
    }
}
