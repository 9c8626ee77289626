using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

[Collection(SharedClusterCollection.Name)]
public sealed class ReplicationTests(SharedRaftClusters shared) : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private RaftCluster Raft => shared[3];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => shared.DeleteCreatedGroupsAsync();

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public async Task A_thousand_proposals_commit_and_every_member_applies_the_same_sequence(int size)
    {
        const string group = "replication-thousand";
        var raft = shared[size];
        var members = await raft.CreateGroupAsync(group, size);
        var leader = await raft.WaitForLeaderAsync(group, members, Bound);

        var results = await ProposeManyAsync(raft, group, members, leader.MemberId, count: 1000, concurrency: 16);

        Assert.Equal(1000, results.Select(r => r.Index).Distinct().Count());
        var applied = await raft.WaitForConvergenceAsync(group, members, 1000, Bound);
        Assert.Equal(results.OrderBy(r => r.Index).Select(r => (r.Index, r.Command)), applied.Select(e => (e.Index, BitConverter.ToInt32(e.Data.Span))));

        // Each proposer got the state machine's own answer: the number of commands applied up to and including its own.
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), results.OrderBy(r => r.Index).Select(r => r.Applied));
        var statuses = await raft.StatusesAsync(group, members);
        Assert.All(statuses, s => Assert.True(s!.SnapshotIndex >= SharedRaftClusters.SnapshotEveryEntries, $"member {s.MemberId} compacted at {s.SnapshotIndex}"));
    }

    [Fact]
    public async Task A_follower_answers_not_leader_with_the_leader_hint()
    {
        const string group = "replication-hint";
        var members = await Raft.CreateGroupAsync(group, 3);
        var leader = await Raft.WaitForLeaderAsync(group, members, Bound);
        var follower = members.First(m => m != leader.MemberId);
        // A quorum agreed on the leader; this follower may be the one that has yet to hear from it.
        await RaftCluster.WaitUntilAsync(
            async () => (await Raft.Member(group, follower).GetStatusAsync()).Leader == leader.MemberId, Bound, $"member {follower} to know the leader");

        var result = await Raft.Member(group, follower).ProposeAsync(new byte[] { 1 });

        Assert.Equal(RaftRequestStatus.NotLeader, result.Status);
        Assert.Equal(leader.MemberId, result.LeaderHint);
        var read = await Raft.Member(group, follower).ReadIndexAsync();
        Assert.Equal(RaftRequestStatus.NotLeader, read.Status);
        Assert.Equal(leader.MemberId, read.LeaderHint);
    }

    [Fact]
    public async Task A_linearizable_read_observes_every_acknowledged_proposal()
    {
        const string group = "replication-read";
        var members = await Raft.CreateGroupAsync(group, 3);
        var leader = await Raft.WaitForLeaderAsync(group, members, Bound);
        var proposed = await Raft.ProposeAsync(group, members, BitConverter.GetBytes(42), Bound, leader.MemberId);

        var read = await Raft.ReadAsync(group, members, Bound, proposed.LeaderHint);

        Assert.Equal(RaftRequestStatus.Ok, read.Status);
        Assert.True(read.Index >= proposed.Index, $"read index {read.Index} before proposal {proposed.Index}");
        Assert.Contains(SequenceStateMachine.Decode(read.Result), e => e.Index == proposed.Index);
    }

    [Fact]
    public async Task A_cancelled_proposal_throws_and_an_empty_one_is_refused()
    {
        const string group = "replication-cancel";
        var members = await Raft.CreateGroupAsync(group, 3);
        var leader = await Raft.WaitForLeaderAsync(group, members, Bound);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Raft.Member(group, leader.MemberId).ProposeAsync(new byte[] { 1 }, cancelled.Token));
        await Assert.ThrowsAsync<ArgumentException>(() => Raft.Member(group, leader.MemberId).ProposeAsync(ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public async Task Observers_get_every_commit_with_its_index_and_can_pull_what_they_missed()
    {
        const string group = "replication-observe";
        var members = await Raft.CreateGroupAsync(group, 3);
        var leader = await Raft.WaitForLeaderAsync(group, members, Bound);
        var observer = new CollectingObserver();
        var reference = Raft.Client.CreateObjectReference<IRaftCommitObserver>(observer);
        var follower = members.First(m => m != leader.MemberId);
        await Raft.Member(group, follower).SubscribeAsync(reference);

        var results = await ProposeManyAsync(Raft, group, members, leader.MemberId, count: 20, concurrency: 4);
        var last = results.Max(r => r.Index);
        // Notifications are one-way calls, which Orleans does not order: the last may arrive before earlier ones.
        var proposed = results.Select(r => r.Index).Order().ToList();
        await RaftCluster.WaitUntilAsync(
            () => Task.FromResult(observer.Commands.Count >= proposed.Count), Bound, $"the observer to see {proposed.Count} commits");

        var seen = observer.Commands.Select(e => e.Index).ToList();
        Assert.Equal(proposed, seen.Order());
        Assert.Equal(last, observer.LastIndex);
        var pulled = await Raft.Member(group, follower).ReadCommittedAsync(1, last);
        Assert.Equal(seen.Order(), pulled.Entries.Select(e => e.Index));
        Assert.Equal(last, pulled.Through);
    }

    private static async Task<List<(ulong Index, int Command, long Applied)>> ProposeManyAsync(
        RaftCluster raft, string group, ulong[] members, ulong leader, int count, int concurrency) =>
        [.. (await raft.ProposeRangeAsync(group, members, 0, count, concurrency, Bound, leader))
            .Select(r => (r.Result.Index, r.Command, BitConverter.ToInt64(r.Result.Result.Span)))];

    private sealed class CollectingObserver : IRaftCommitObserver
    {
        private readonly Lock _lock = new();
        private readonly List<RaftCommittedEntry> _commands = [];
        private ulong _last;

        public ulong LastIndex
        {
            get
            {
                lock (_lock)
                {
                    return _last;
                }
            }
        }

        public List<RaftCommittedEntry> Commands
        {
            get
            {
                lock (_lock)
                {
                    return [.. _commands];
                }
            }
        }

        public Task OnCommittedAsync(RaftCommitNotification notification)
        {
            lock (_lock)
            {
                _commands.AddRange(notification.Entries);
                _last = Math.Max(_last, notification.LastIndex);
            }

            return Task.CompletedTask;
        }
    }
}
