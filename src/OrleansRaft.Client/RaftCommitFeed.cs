using OrleansRaft.Abstractions;

namespace OrleansRaft.Client;

/// <summary>
/// Reads the committed entries of a group by index, from whichever member answers: what a member applied is committed,
/// so any member serves, and a leader change, a member's deactivation or a dead silo only moves the reads to another.
/// Stateless: the caller keeps how far it got, which makes delivery exactly once when it persists that with what it
/// did with the entries.
/// </summary>
/// <remarks>
/// Each read long-polls a member (<see cref="IRaftMemberGrain.WaitCommittedAsync"/>) for up to
/// <see cref="RaftClientOptions.CommitWait"/>, so new entries arrive as soon as a member applies them. When the entries
/// a caller still needs were compacted into a snapshot, the read returns the state machine's snapshot instead, and the
/// caller continues after its index.
/// </remarks>
public sealed class RaftCommitFeed
{
    private readonly RaftMemberRouter _router;
    private readonly RaftClientOptions _options;
    private ulong _lastServed;

    public RaftCommitFeed(IGrainFactory grains, string groupId, IReadOnlyList<ulong> members, RaftClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        RaftMemberKey.ValidateGroupId(groupId);
        Members = RaftGroupLookup.Validate(members);
        _options = options ?? new RaftClientOptions();
        _options.Validate();
        GroupId = groupId;

        // An attempt may wait at a member for the whole commit wait before it answers.
        var retry = _options.Retry with { AttemptTimeout = _options.AttemptTimeout + _options.CommitWait };
        _router = new RaftMemberRouter(grains, groupId, [.. Members], retry, "the Raft group");
    }

    /// <summary>A feed of group <paramref name="groupId"/>, with the membership its admin grain records.</summary>
    public static async Task<RaftCommitFeed> ConnectAsync(IGrainFactory grains, string groupId, RaftClientOptions? options = null)
    {
        var settings = options ?? new RaftClientOptions();
        var members = await RaftGroupLookup.MembersAsync(grains, groupId, settings.RequestTimeout, settings.InitialBackoff, settings.MaxBackoff);
        return new RaftCommitFeed(grains, groupId, members, options);
    }

    public string GroupId { get; }

    public IReadOnlyList<ulong> Members { get; }

    /// <summary>
    /// The entries after <paramref name="after"/>, in index order, once there are any or the commit wait passed (then
    /// none, and <see cref="RaftFeedBatch.Through"/> is <paramref name="after"/>); or, when the log no longer holds
    /// <c>after + 1</c>, a snapshot. Throws <see cref="TimeoutException"/> when no member answered within the request
    /// timeout (plus the wait).
    /// </summary>
    public async Task<RaftFeedBatch> ReadAsync(ulong after, CancellationToken cancellationToken = default)
    {
        var wait = _options.CommitWait;
        var timeout = _options.RequestTimeout + wait;

        // A member that served the last read likely serves the next; one that had nothing new may be behind, so the
        // next read tries another.
        var (range, member) = await _router.SendAsync(
            false, (m, token) => m.WaitCommittedAsync(after + 1, wait, token), Served, timeout, cancellationToken, prefer: _lastServed);
        if (range.FirstAvailable > after + 1)
        {
            var (snapshot, from) = await _router.SendAsync(
                false, (m, _) => m.ReadStateSnapshotAsync(), Served, timeout, cancellationToken, prefer: member);
            _lastServed = from;
            return new RaftFeedBatch(snapshot, [], snapshot.Index, from);
        }

        var entries = range.Entries.Where(e => e.Index > after).ToArray();
        var through = Math.Max(after, range.Through);
        _lastServed = through > after ? member : 0;
        return new RaftFeedBatch(null, entries, through, member);
    }

    /// <summary>The pause after <paramref name="failures"/> reads in a row that found no member.</summary>
    internal TimeSpan Backoff(int failures) => _router.Backoff(failures);

    private static (RaftRequestStatus, ulong) Served<T>(T _) => (RaftRequestStatus.Ok, 0);
}

/// <summary>
/// What a <see cref="RaftCommitFeed"/> read returned: the committed commands after the caller's index through
/// <see cref="Through"/> (indexes without a command, such as a leader's empty entry, are skipped), or, when the caller
/// fell behind the log's compaction, the state machine's <see cref="Snapshot"/> at <see cref="Through"/> and no entries.
/// </summary>
public sealed record RaftFeedBatch(RaftStateSnapshot? Snapshot, IReadOnlyList<RaftCommittedEntry> Entries, ulong Through, ulong MemberId);
