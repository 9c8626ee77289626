using OrleansRaft.Core.Tests.Harness;
using static OrleansRaft.Core.Tests.Paper.Logs;

namespace OrleansRaft.Core.Tests.Paper;

/// <summary>§5.4 Safety: the election restriction (§5.4.1) and committing entries from previous terms (§5.4.2).</summary>
public sealed class SafetyTests
{
    private static readonly ulong[] Five = [1, 2, 3, 4, 5];

    private static void Basic(RaftOptions options)
    {
        options.PreVote = false;
        options.CheckQuorum = false;
    }

    // §5.4.1: a candidate whose log lacks a committed entry cannot win; the member who holds it can.
    [Fact]
    public void ElectionRestrictionKeepsCommittedEntriesInEveryLeadersLog()
    {
        var cluster = new RaftHarness(3, Basic);
        cluster.Elect(1);
        cluster.Isolate(3);
        cluster.Propose(1, "a");
        cluster.Deliver();
        Assert.Equal(["a"], cluster.Applied(2));
        cluster.Heal();
        cluster.Crash(1);

        cluster.Node(3).Campaign();
        cluster.Deliver();
        Assert.Null(cluster.Leader);
        Assert.Equal(0UL, cluster.Node(2).Vote);

        cluster.Node(2).Campaign();
        cluster.Deliver();
        Assert.Equal(2UL, cluster.Leader);
        Assert.Equal(["a"], cluster.Applied(3));
    }

    // §5.4.2, Figure 8 (c): an entry of an older term held by a majority is not committed by counting its copies.
    [Fact]
    public void Figure8AnOlderTermsEntryOnAMajorityIsNotCommittedByCounting()
    {
        var leader = Figure8LeaderWithIndex2OnAMajority(bug: InjectedBugs.None);

        Assert.Equal(0UL, leader.Node.CommitIndex);
        Assert.Empty(leader.Applied);

        // (e): once an entry of the leader's own term is on a majority, it and everything before it commit.
        leader.Step(Msg.AppendAck(3, 1, 4, 3));
        Assert.Equal(0UL, leader.Node.CommitIndex);
        leader.Step(Msg.AppendAck(4, 1, 4, 3));
        leader.Drain();
        Assert.Equal(3UL, leader.Node.CommitIndex);
        Assert.Equal(["1/1[3]", "2/2[3]", "4/3[0]"], leader.Applied.Select(e => e.ToString()));
    }

    // §5.4.2: the same run with the commit rule broken commits the older term's entry, the unsafe outcome of Figure 8.
    [Fact]
    public void Figure8CountingReplicasOfAnOlderTermWouldCommitIt()
    {
        var leader = Figure8LeaderWithIndex2OnAMajority(bug: InjectedBugs.CommitOldTermByCounting);

        Assert.Equal(2UL, leader.Node.CommitIndex);
    }

    // §5.4.2, Figure 8 (d): such an entry can still be overwritten by a later leader, which is why it was not committed.
    [Fact]
    public void Figure8AnUncommittedOlderEntryOnAMajorityCanBeOverwritten()
    {
        ulong[][] logs = [[1, 2], [1, 2], [1, 2], [1], [1, 3]];
        var cluster = new RaftHarness(5, Basic);
        for (var i = 0; i < logs.Length; i++)
        {
            var id = (ulong)i + 1;
            cluster.Storage(id).Append(OfTerms(logs[i]));
            cluster.Storage(id).SetHardState(new HardState(4, 0, 0));
            cluster.Restart(id);
        }

        cluster.Crash(1);
        cluster.Elect(5);

        Assert.Equal(5UL, cluster.Leader);
        Assert.All(new ulong[] { 2, 3, 4, 5 }, id => Assert.Equal([1UL, 3UL, 5UL], Terms(cluster.Storage(id))));
    }

    /// <summary>
    /// Figure 8 (c): member 1 leads term 4 with log 1,2 (terms) and its own empty entry at index 3; members 3 and 4
    /// have been brought up to index 2 and acknowledged it, so index 2 is on a majority (1, 3, 4).
    /// </summary>
    private static TestNode Figure8LeaderWithIndex2OnAMajority(InjectedBugs bug)
    {
        var leader = TestNode.Leader(1, Five, term: 3, log: OfTerms(1, 2), configure: o =>
        {
            // One entry per append, so that index 2 and index 3 travel separately.
            o.MaxSizePerMessage = 1;
            o.InjectedBugs = bug;
        });
        Assert.Equal(4UL, leader.Node.Term);

        foreach (var follower in new ulong[] { 3, 4 })
        {
            leader.Step(Msg.AppendReject(follower, 1, 4, rejectedIndex: 2, hintIndex: 1, hintTerm: 1));
            var retry = leader.Drain().Single(m => m.To == follower);
            Assert.Equal($"1->{follower} Append term=4 prev=1/1 commit=0 entries=[2/2[3]]", retry.ToString());
            leader.Step(Msg.AppendAck(follower, 1, 4, 2));
            leader.Drain();
        }

        return leader;
    }
}
