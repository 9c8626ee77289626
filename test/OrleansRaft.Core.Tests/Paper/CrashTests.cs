using OrleansRaft.Core.Tests.Harness;
using static OrleansRaft.Core.Tests.Paper.Logs;

namespace OrleansRaft.Core.Tests.Paper;

/// <summary>§5.5 Follower and candidate crashes: requests to a crashed member are retried, and they are idempotent.</summary>
public sealed class CrashTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    private static void Basic(RaftOptions options)
    {
        options.PreVote = false;
        options.CheckQuorum = false;
    }

    // §5.5: appends to a crashed follower are retried until it is back, and then it catches up.
    [Fact]
    public void AppendsToACrashedFollowerAreRetriedUntilItRestarts()
    {
        var cluster = new RaftHarness(3, Basic);
        cluster.Elect(1);
        cluster.Crash(3);
        foreach (var data in new[] { "a", "b", "c" })
        {
            cluster.Propose(1, data);
            cluster.Deliver();
            cluster.Tick(1);
            cluster.Deliver();
        }

        Assert.Equal(["a", "b", "c"], cluster.Applied(2));

        cluster.Restart(3);
        cluster.Tick(1);
        cluster.Deliver();

        Assert.Equal(["a", "b", "c"], cluster.Applied(3));
        Assert.Equal(cluster.Node(1).LastIndex, cluster.Node(3).LastIndex);
    }

    // §5.5: retries resume even when every append of a full in-flight window was lost with the crashed follower.
    [Fact]
    public void AFollowerThatLostAFullInflightWindowStillCatchesUp()
    {
        var cluster = new RaftHarness(3, o =>
        {
            Basic(o);
            o.MaxInflightMessages = 2;
        });
        cluster.Elect(1);
        cluster.Crash(3);
        foreach (var data in new[] { "a", "b", "c", "d", "e" })
        {
            cluster.Propose(1, data);
            cluster.Deliver();
        }

        cluster.Restart(3);
        for (var i = 0; i < 3; i++)
        {
            cluster.Tick(1);
            cluster.Deliver();
        }

        Assert.Equal(["a", "b", "c", "d", "e"], cluster.Applied(3));
    }

    // §5.5: a candidate's vote request lost with a crashed member does not block elections once the member is back.
    [Fact]
    public void ACandidateWinsOnceACrashedVoterIsBack()
    {
        var cluster = new RaftHarness(3, Basic);
        cluster.Crash(2);
        cluster.Crash(3);
        cluster.Elect(1);
        Assert.Equal(RaftRole.Candidate, cluster.Node(1).Role);

        cluster.Restart(2);
        cluster.Tick(1, cluster.Node(1).RandomizedElectionTimeout);
        cluster.Deliver();

        Assert.Equal(1UL, cluster.Leader);
        Assert.Equal(2UL, cluster.Node(1).Term);
    }

    // §5.5: a follower that receives the same append twice (its first answer was lost) ends with the same log and the same answer.
    [Fact]
    public void AReceivedAppendRepeatedChangesNothing()
    {
        var follower = TestNode.Follower(1, Three, term: 1);
        var append = Msg.Append(2, 1, 1, prevIndex: 0, prevTerm: 0, entries: [E(1, 1, "a"), E(1, 2, "b")]);

        follower.Step(append);
        var first = follower.DrainReadies();
        follower.Step(append);
        var second = follower.DrainReadies().Single();

        Assert.Equal(["1/1[1]", "1/2[1]"], first.SelectMany(r => r.Entries).Select(e => e.ToString()));
        Assert.Empty(second.Entries);
        Assert.Null(second.HardState);
        Assert.Equal(Msg.Describe(first.SelectMany(r => r.Messages)), Msg.Describe(second.Messages));
        Assert.Equal(["a", "b"], Entries(follower.Storage).Select(Text));
    }

    // §5.5: a repeated append below the commit index is acknowledged up to the commit index, and changes nothing.
    [Fact]
    public void ARepeatedAppendBelowTheCommitIndexIsAcknowledgedAtTheCommitIndex()
    {
        var follower = TestNode.Follower(1, Three, term: 1);
        var append = Msg.Append(2, 1, 1, prevIndex: 0, prevTerm: 0, entries: [E(1, 1, "a"), E(1, 2, "b")], commit: 1);
        follower.Step(append);
        follower.Drain();

        follower.Step(append);
        var ready = follower.DrainReadies().Single();

        Assert.Empty(ready.Entries);
        Assert.Empty(ready.CommittedEntries);
        Assert.Equal(["1->2 AppendResponse term=1 index=1"], Msg.Describe(ready.Messages));
        Assert.Equal(["a", "b"], Entries(follower.Storage).Select(Text));
        Assert.Equal(["a"], follower.Applied.Select(Text));
    }

    // §5.5: a follower that crashes after persisting but before answering answers the retry from its durable log.
    [Fact]
    public void AFollowerRestartedAfterPersistingAnswersTheRetry()
    {
        var follower = TestNode.Follower(1, Three, term: 1);
        var append = Msg.Append(2, 1, 1, prevIndex: 0, prevTerm: 0, entries: [E(1, 1, "a")]);
        follower.Step(append);
        // The Ready is persisted but its answer never leaves: the member crashes.
        follower.Drain();

        var restarted = new RaftNode(TestNode.BasicOptions(1), follower.Storage);
        restarted.Step(append);

        var ready = restarted.GetReady();
        Assert.Empty(ready.Entries);
        Assert.Equal(["1->2 AppendResponse term=1 index=1"], Msg.Describe(ready.Messages));
    }
}
