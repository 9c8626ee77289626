using static OrleansRaft.Core.Tests.Paper.Logs;

namespace OrleansRaft.Core.Tests.Paper;

/// <summary>Figure 2, "AppendEntries RPC", receiver implementation, rules 1 to 5.</summary>
public sealed class AppendEntriesReceiverTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    // Rule 1: an append from an older term is refused, and the reply carries the receiver's newer term.
    [Fact]
    public void Rule1AnAppendFromAnOlderTermIsRefusedWithTheNewerTerm()
    {
        // The reply to a stale leader is part of pre-vote and check-quorum, both on by default.
        var follower = TestNode.Follower(1, Three, term: 3, log: [E(1, 1)], configure: o => { o.PreVote = true; o.CheckQuorum = true; });

        follower.Step(Msg.Append(2, 1, 2, prevIndex: 1, prevTerm: 1, entries: [E(2, 2)], commit: 2));

        var ready = follower.DrainReadies().Single();
        Assert.Empty(ready.Entries);
        Assert.Empty(ready.CommittedEntries);
        Assert.Null(ready.HardState);
        var reply = Assert.Single(ready.Messages);
        Assert.Equal(MessageType.AppendResponse, reply.Type);
        Assert.Equal(3UL, reply.Term);
        Assert.Equal(0UL, follower.Node.Leader);
        Assert.Equal(1UL, follower.Node.LastIndex);
    }

    // Rule 1, the sender's side: the stale leader learns the newer term from the reply and steps down.
    [Fact]
    public void Rule1AStaleLeaderStepsDownOnTheReply()
    {
        var leader = TestNode.Leader(1, Three, configure: o => { o.PreVote = true; o.CheckQuorum = true; });
        var follower = TestNode.Follower(2, Three, term: 3, configure: o => { o.PreVote = true; o.CheckQuorum = true; });

        follower.Step(leader.StartMessages.First(m => m.To == 2));
        leader.Step(follower.Drain().Single());

        Assert.Equal(RaftRole.Follower, leader.Node.Role);
        Assert.Equal(3UL, leader.Node.Term);
    }

    // Rule 2: an append whose previous entry the receiver does not hold is refused, with a hint where the logs may agree.
    [Theory]
    [InlineData(3UL, 1UL, "1->2 AppendResponse term=2 reject index=3 hint=1/2")] // no entry at the previous index
    [InlineData(2UL, 2UL, "1->2 AppendResponse term=2 reject index=2 hint=1/2")] // an entry of another term there
    public void Rule2AnAppendWithoutAMatchingPreviousEntryIsRefused(ulong prevIndex, ulong prevTerm, string expected)
    {
        var follower = TestNode.Follower(1, Three, term: 2, log: [E(1, 1), E(1, 2)]);

        follower.Step(Msg.Append(2, 1, 2, prevIndex, prevTerm, entries: [E(2, prevIndex + 1)], commit: 3));

        Assert.Equal([expected], Msg.Describe(follower.Drain()));
        Assert.Equal([1UL, 1UL], follower.PersistedTerms());
        Assert.Equal(0UL, follower.Node.CommitIndex);
    }

    // Rule 3: an existing entry that conflicts with a new one (same index, other term) is deleted with all that follow it.
    [Fact]
    public void Rule3AConflictingEntryAndEverythingAfterItAreDeleted()
    {
        var follower = TestNode.Follower(1, Three, term: 2, log: [E(1, 1, "a"), E(1, 2, "b"), E(1, 3, "c"), E(1, 4, "d")]);

        follower.Step(Msg.Append(2, 1, 3, prevIndex: 1, prevTerm: 1, entries: [E(1, 2, "b"), E(3, 3, "C")]));

        var ready = follower.DrainReadies().Single();
        // Only the first conflicting entry on goes to storage; the host truncates its suffix from there.
        Assert.Equal(["3/3[1]"], ready.Entries.Select(e => e.ToString()));
        Assert.Equal(["a", "b", "C"], Entries(follower.Storage).Select(Text));
        Assert.Equal(["1->2 AppendResponse term=3 index=3"], Msg.Describe(ready.Messages));
    }

    // Rule 4: entries not yet in the log are appended; entries already there are left alone.
    [Fact]
    public void Rule4NewEntriesAreAppendedAndExistingOnesKept()
    {
        var follower = TestNode.Follower(1, Three, term: 1, log: [E(1, 1, "a"), E(1, 2, "b")]);

        follower.Step(Msg.Append(2, 1, 1, prevIndex: 0, prevTerm: 0, entries: [E(1, 1, "a"), E(1, 2, "b"), E(1, 3, "c")]));

        var ready = follower.DrainReadies().Single();
        Assert.Equal(["1/3[1]"], ready.Entries.Select(e => e.ToString()));
        Assert.Equal(["a", "b", "c"], Entries(follower.Storage).Select(Text));
        Assert.Equal(["1->2 AppendResponse term=1 index=3"], Msg.Describe(ready.Messages));
    }

    // Rule 4: a shorter, older append arriving late truncates nothing the leader sent after it.
    [Fact]
    public void Rule4AStaleShorterAppendDoesNotTruncateLaterEntries()
    {
        var follower = TestNode.Follower(1, Three, term: 1);
        var first = Msg.Append(2, 1, 1, prevIndex: 0, prevTerm: 0, entries: [E(1, 1, "a")]);
        var second = Msg.Append(2, 1, 1, prevIndex: 0, prevTerm: 0, entries: [E(1, 1, "a"), E(1, 2, "b")]);

        follower.Step(second);
        follower.Step(first);
        var replies = Msg.Describe(follower.Drain());

        Assert.Equal(["a", "b"], Entries(follower.Storage).Select(Text));
        Assert.Equal(["1->2 AppendResponse term=1 index=2", "1->2 AppendResponse term=1 index=1"], replies);
    }

    // Rule 5: the commit index becomes the smaller of the leader's commit index and the index of the last new entry.
    [Theory]
    [InlineData(2UL, 2UL)] // the leader's commit index is the smaller
    [InlineData(9UL, 3UL)] // the last entry this append vouches for is the smaller
    public void Rule5TheCommitIndexIsTheLeadersBoundedByTheLastNewEntry(ulong leaderCommit, ulong expected)
    {
        // Index 4 is an old entry the append does not vouch for: the commit index must not reach it.
        var follower = TestNode.Follower(1, Three, term: 2, log: [E(1, 1), E(1, 2), E(1, 3), E(1, 4)]);

        follower.Step(Msg.Append(2, 1, 2, prevIndex: 1, prevTerm: 1, entries: [E(1, 2), E(1, 3)], commit: leaderCommit));
        follower.Drain();

        Assert.Equal(expected, follower.Node.CommitIndex);
        Assert.Equal(expected, follower.Storage.HardState.Commit);
    }

    // Rule 5: a commit index never moves backwards.
    [Fact]
    public void Rule5TheCommitIndexNeverDecreases()
    {
        var follower = TestNode.Follower(1, Three, term: 1, log: [E(1, 1), E(1, 2)]);
        follower.Step(Msg.Append(2, 1, 1, prevIndex: 2, prevTerm: 1, commit: 2));

        follower.Step(Msg.Append(2, 1, 1, prevIndex: 2, prevTerm: 1, commit: 1));

        Assert.Equal(2UL, follower.Node.CommitIndex);
    }
}
