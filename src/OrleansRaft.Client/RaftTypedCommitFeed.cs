using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansRaft.Abstractions;

namespace OrleansRaft.Client;

/// <summary>
/// The commands a <see cref="RaftStateMachine{TState, TCommand, TResult}"/> applied, decoded, in index order, each
/// once: a retried command that reached the log twice is delivered once, as the state machine ran it once (the feed
/// replays the group's session table in the <see cref="RaftFeedPosition"/>). A subscriber that fell behind the log's
/// compaction gets the state machine's state instead, and goes on from there.
/// </summary>
/// <remarks>
/// Delivery is exactly once when the subscriber persists <see cref="RaftCommitBatch{TState, TCommand}.Next"/> in the
/// same write as what it made of the batch, and starts its next read from what it persisted. Entries the state machine
/// could not decode changed nothing and are skipped. Not for concurrent reads: one subscriber, one feed.
/// </remarks>
public sealed class RaftCommitFeed<TState, TCommand>
    where TState : class
{
    private readonly RaftCommitFeed _feed;
    private readonly RaftTypedCodec _codec;

    public RaftCommitFeed(RaftCommitFeed feed, Serializer serializer)
    {
        _feed = feed ?? throw new ArgumentNullException(nameof(feed));
        _codec = new RaftTypedCodec(serializer);
    }

    /// <summary>A feed of group <paramref name="groupId"/> with the membership its admin grain records.</summary>
    public static async Task<RaftCommitFeed<TState, TCommand>> ConnectAsync(
        IGrainFactory grains, Serializer serializer, string groupId, RaftClientOptions? options = null) =>
        new(await RaftCommitFeed.ConnectAsync(grains, groupId, options), serializer);

    /// <summary>As the other overload, with the client's serializer.</summary>
    public static Task<RaftCommitFeed<TState, TCommand>> ConnectAsync(IClusterClient client, string groupId, RaftClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return ConnectAsync(client, client.ServiceProvider.GetRequiredService<Serializer>(), groupId, options);
    }

    public string GroupId => _feed.GroupId;

    /// <summary>
    /// The commands applied after <paramref name="position"/>, waiting for new ones up to the commit wait (then the batch
    /// is empty and its position <paramref name="position"/>'s). <paramref name="position"/> is not changed.
    /// </summary>
    public async Task<RaftCommitBatch<TState, TCommand>> ReadAsync(RaftFeedPosition position, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(position);
        var batch = await _feed.ReadAsync(position.Index, cancellationToken);
        if (batch.Snapshot is { } snapshot)
        {
            var decoded = _codec.Decode<RaftTypedSnapshot>(snapshot.Data, $"the snapshot of member {batch.MemberId} at index {snapshot.Index}");
            var state = _codec.Decode<TState>(decoded.State, $"the state in the snapshot at index {snapshot.Index}");
            return new RaftCommitBatch<TState, TCommand>(state, [], new RaftFeedPosition(snapshot.Index, decoded.Sessions.WithoutResults()));
        }

        if (batch.Entries.Count == 0)
        {
            return new RaftCommitBatch<TState, TCommand>(null, [], batch.Through == position.Index ? position : new RaftFeedPosition(batch.Through, position.Sessions));
        }

        // The session table changes as the entries replay: a copy, so that the caller's position stays as it was.
        var sessions = _codec.Decode<RaftSessionTable>(_codec.Encode(position.Sessions), "the feed position's sessions");
        var commits = new List<RaftCommit<TCommand>>(batch.Entries.Count);
        foreach (var entry in batch.Entries)
        {
            RaftEnvelope envelope;
            try
            {
                envelope = _codec.Decode<RaftEnvelope>(entry.Data, $"entry {entry.Index}");
            }
            catch (RaftDecodeException)
            {
                continue;
            }

            // The same decisions as the state machine's: a command runs here exactly when it ran there.
            sessions.Apply(entry.Index, envelope, payload =>
            {
                try
                {
                    commits.Add(new RaftCommit<TCommand>(entry.Index, entry.Term, _codec.Decode<TCommand>(payload, $"the command of entry {entry.Index}")));
                    return Ran;
                }
                catch (RaftDecodeException e)
                {
                    return RaftResponse.Refused(RaftResponseStatus.Undecodable, e.Message);
                }
            });
        }

        return new RaftCommitBatch<TState, TCommand>(null, commits, new RaftFeedPosition(batch.Through, sessions));
    }

    /// <summary>
    /// Reads batch after batch from <paramref name="start"/> and hands each one that moves the position to
    /// <paramref name="handle"/>, which applies it and persists its <c>Next</c> with the result; the next read starts
    /// there. Failures to reach the group (no member answers, the cluster is changing) are retried with backoff; an
    /// exception from <paramref name="handle"/> ends the run. Runs until <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task RunAsync(
        RaftFeedPosition start, Func<RaftCommitBatch<TState, TCommand>, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(handle);
        var position = start;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            RaftCommitBatch<TState, TCommand> batch;
            try
            {
                batch = await ReadAsync(position, cancellationToken);
                failures = 0;
            }
            catch (Exception e) when (e is TimeoutException or OrleansException && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(_feed.Backoff(failures++), cancellationToken);
                continue;
            }

            if (batch.Next.Index == position.Index && batch.Snapshot is null)
            {
                continue;
            }

            await handle(batch, cancellationToken);
            position = batch.Next;
        }
    }

    /// <summary>What the subscriber's table keeps for a command that ran: that it ran, not its answer.</summary>
    private static readonly RaftResponse Ran = RaftResponse.Ok(default);
}

/// <summary>
/// What a <see cref="RaftCommitFeed{TState, TCommand}"/> read returned: the commands applied after the caller's
/// position, or (when the caller fell behind the log's compaction) the state machine's <see cref="Snapshot"/> state,
/// from which the caller rebuilds what it keeps. <see cref="Next"/> is where the next read starts.
/// </summary>
public sealed record RaftCommitBatch<TState, TCommand>(TState? Snapshot, IReadOnlyList<RaftCommit<TCommand>> Commits, RaftFeedPosition Next)
    where TState : class;
