namespace OrleansRaft.Abstractions;

/// <summary>
/// How far a subscriber of a typed group got: every entry through <see cref="Index"/> is delivered, and
/// <see cref="Sessions"/> is the group's session table as of that index (without the answers), which tells a
/// retried command that the state machine ran once from its duplicates. Persist it with the subscriber's own state,
/// in one write, to resume exactly where it left off.
/// </summary>
[GenerateSerializer, Alias("orleansraft.feed-position")]
public sealed class RaftFeedPosition
{
    public RaftFeedPosition(ulong index, RaftSessionTable sessions)
    {
        Index = index;
        Sessions = sessions ?? throw new ArgumentNullException(nameof(sessions));
    }

    /// <summary>The start of a group's log, with sessions under <paramref name="limits"/> (the state machine's).</summary>
    public static RaftFeedPosition Start(RaftSessionLimits? limits = null) => new(0, new RaftSessionTable(limits));

    [Id(0)]
    public ulong Index { get; private set; }

    [Id(1)]
    public RaftSessionTable Sessions { get; private set; }
}
