using System.Text;
using static OrleansRaft.Core.Tests.Paper.Logs;

namespace OrleansRaft.Core.Tests.Paper;

/// <summary>Figure 2, "Rules for Servers", leaders.</summary>
public sealed class LeaderRulesTests
{
    private static readonly ulong[] Three = [1, 2, 3];
    private static readonly ulong[] Five = [1, 2, 3, 4, 5];

    // Rule: once elected, a leader sends every member an append; its only entry is the leader's empty entry of the new term.
    [Fact]
    public void OnElectionTheLeaderSendsEveryMemberAnAppendWithItsEmptyEntry()
    {
        var node = TestNode.Candidate(1, Three, term: 2, log: [E(1, 1), E(2, 2)]);
        node.Step(Msg.VoteGrant(2, 1, 3));

        var ready = node.DrainReadies().First();

        Assert.Equal(new SoftState(1, RaftRole.Leader), ready.SoftState);
        Assert.Equal(
            [
                "1->2 Append term=3 prev=2/2 commit=0 entries=[3/3[0]]",
                "1->3 Append term=3 prev=2/2 commit=0 entries=[3/3[0]]",
            ],
            Msg.Describe(ready.Messages));
    }

    // Rule: while idle, the leader sends heartbeats every heartbeat interval so that no follower times out.
    [Fact]
    public void AnIdleLeaderSendsHeartbeatsEveryHeartbeatInterval()
    {
        var node = TestNode.Leader(1, Three, configure: o => o.HeartbeatTicks = 3);

        node.Tick(2);
        Assert.Empty(node.Drain());

        node.Tick();
        Assert.Equal(["1->2 Heartbeat term=1 commit=0 round=0", "1->3 Heartbeat term=1 commit=0 round=0"], Msg.Describe(node.Drain()));

        node.Tick(2);
        Assert.Empty(node.Drain());
        node.Tick();
        Assert.Equal(2, node.Drain().Count(m => m.Type == MessageType.Heartbeat));
        Assert.Equal(RaftRole.Leader, node.Node.Role);
    }

    // Rule: a client command is appended to the leader's log, replicated, and answered once it is committed and applied.
    [Fact]
    public void AProposalIsAppendedReplicatedAndAppliedOnceCommitted()
    {
        var node = TestNode.Leader(1, Three);
        node.Step(Msg.AppendAck(2, 1, 1, 1));
        node.Step(Msg.AppendAck(3, 1, 1, 1));
        node.Drain();

        var result = node.Node.Propose(Encoding.UTF8.GetBytes("x"));
        Assert.Equal(new ProposeResult(ProposeStatus.Accepted, 2, 1, 1), result);
        var ready = node.DrainReadies().Single();
        Assert.Equal(["1/2[1]"], ready.Entries.Select(e => e.ToString()));
        Assert.Empty(ready.CommittedEntries);
        Assert.Equal(
            [
                "1->2 Append term=1 prev=1/1 commit=1 entries=[1/2[1]]",
                "1->3 Append term=1 prev=1/1 commit=1 entries=[1/2[1]]",
            ],
            Msg.Describe(ready.Messages));

        node.Step(Msg.AppendAck(2, 1, 1, 2));
        Assert.Equal(2UL, node.Node.CommitIndex);
        ready = node.DrainReadies().Single();
        Assert.Equal(["x"], ready.CommittedEntries.Select(Text));
        // The new commit index goes out to the followers at once.
        Assert.Equal(
            [
                "1->2 Append term=1 prev=1/2 commit=2 entries=[]",
                "1->3 Append term=1 prev=1/2 commit=2 entries=[]",
            ],
            Msg.Describe(ready.Messages));
    }

    // Rule: the leader counts its own copy of an entry only once the entry is durable.
    [Fact]
    public void TheLeaderCountsItsOwnCopyOnlyOnceItIsPersisted()
    {
        var node = TestNode.Leader(1, Three);
        node.Step(Msg.AppendAck(2, 1, 1, 1));
        node.Drain();
        node.Node.Propose(Encoding.UTF8.GetBytes("x"));
        var ready = node.Node.GetReady();

        // Member 2 acknowledges before the leader's own write finishes: one copy of three is not a majority.
        node.Step(Msg.AppendAck(2, 1, 1, 2));
        Assert.Equal(1UL, node.Node.CommitIndex);

        node.Storage.Append(ready.Entries);
        node.Node.Advance();
        Assert.Equal(2UL, node.Node.CommitIndex);
    }

    // Rule: when an append is rejected for an inconsistent log, the leader lowers the follower's next index and retries.
    [Fact]
    public void ARejectedAppendLowersNextIndexByOneAndIsRetried()
    {
        var node = TestNode.Leader(1, Three, term: 1, log: [E(1, 1), E(1, 2), E(1, 3)]);

        // A rejection without a useful hint: the follower claims to have index 2 but not 3.
        node.Step(Msg.AppendReject(2, 1, 2, rejectedIndex: 3, hintIndex: 2, hintTerm: 0));

        Assert.Equal(3UL, node.Node.GetStatus().Progress[2].Next);
        Assert.Equal(["1->2 Append term=2 prev=1/2 commit=0 entries=[1/3[0] 2/4[0]]"], Msg.Describe(node.Drain()));
    }

    // Rule: with the follower's hint, the leader skips every index of the follower's conflicting term at once.
    [Fact]
    public void ARejectionHintSkipsAWholeConflictingTerm()
    {
        var leader = TestNode.Leader(1, Three, term: 5, log: OfTerms(1, 1, 4, 4, 5, 5));
        var follower = TestNode.Follower(2, Three, term: 5, log: OfTerms(1, 1, 2, 2, 2, 2, 3, 3));
        var append = leader.StartMessages.First(m => m.To == 2);
        Assert.Equal(6UL, append.Index);

        follower.Step(append);
        var rejection = follower.Drain().Single();
        Assert.Equal("2->1 AppendResponse term=6 reject index=6 hint=2/6", rejection.ToString());

        leader.Step(rejection);
        var retry = leader.Drain().Single();
        // The leader's last entry of a term at most 2 is index 2: both logs agree up to there.
        Assert.Equal(2UL, retry.Index);
        follower.Step(retry);
        leader.Step(follower.Drain().Single());

        Assert.Equal(leader.PersistedTerms(), follower.PersistedTerms());
        Assert.Equal(7UL, leader.Node.GetStatus().Progress[2].Match);
    }

    // Rule: a successful append moves the follower's match index to the last entry it holds and its next index past it.
    [Fact]
    public void ASuccessfulAppendUpdatesMatchAndNextIndex()
    {
        var node = TestNode.Leader(1, Three, log: [E(1, 1), E(1, 2)], term: 1);

        node.Step(Msg.AppendAck(2, 1, 2, 3));

        var progress = node.Node.GetStatus().Progress[2];
        Assert.Equal(3UL, progress.Match);
        Assert.Equal(4UL, progress.Next);
    }

    // Rule: the leader commits the highest index a majority holds, provided that entry is of its own term.
    [Fact]
    public void TheLeaderCommitsWhatAMajorityHoldsInItsOwnTerm()
    {
        var node = TestNode.Leader(1, Five);
        node.Node.Propose(Encoding.UTF8.GetBytes("a"));
        node.Node.Propose(Encoding.UTF8.GetBytes("b"));
        node.Drain();

        // Match: leader 3, member 2 at 3, member 3 at 2; a majority of five holds only index 2.
        node.Step(Msg.AppendAck(2, 1, 1, 3));
        node.Step(Msg.AppendAck(3, 1, 1, 2));
        Assert.Equal(2UL, node.Node.CommitIndex);

        node.Step(Msg.AppendAck(4, 1, 1, 3));
        Assert.Equal(3UL, node.Node.CommitIndex);
    }
}
