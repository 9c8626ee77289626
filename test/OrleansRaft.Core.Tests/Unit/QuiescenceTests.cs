using OrleansRaft.Core.Tests.Harness;

namespace OrleansRaft.Core.Tests.Unit;

/// <summary>An idle group stops its clocks; any request, message or host signal starts them again.</summary>
public sealed class QuiescenceTests
{
    private static RaftHarness IdleGroup()
    {
        var cluster = new RaftHarness(3);
        cluster.Elect(1);
        cluster.Propose(1, "a");
        cluster.Deliver();

        // A heartbeat round, so that the leader learns every follower's commit index and nothing is in flight.
        cluster.Tick(1);
        cluster.Deliver();
        return cluster;
    }

    private static RaftHarness QuietGroup()
    {
        var cluster = IdleGroup();
        Assert.True(cluster.Node(1).TryQuiesce());
        cluster.Deliver();
        return cluster;
    }

    [Fact]
    public void AnIdleLeaderQuiescesItsWholeGroup()
    {
        var cluster = IdleGroup();

        Assert.True(cluster.Node(1).TryQuiesce());
        var delivered = cluster.Deliver();

        Assert.Equal(2, delivered.Count);
        Assert.All(delivered, m => Assert.Equal(MessageType.Quiesce, m.Type));
        Assert.All(cluster.Ids, id => Assert.True(cluster.Node(id).IsQuiescent));
    }

    [Fact]
    public void HeartbeatsAndAnswersInFlightWhenTheGroupQuiescesDoNotWakeIt()
    {
        var cluster = IdleGroup();

        // A tick's heartbeats leave, and the leader quiesces before their answers come back; the Quiesce may even
        // overtake the heartbeats.
        cluster.Tick(1);
        cluster.Process(1);
        Assert.True(cluster.Node(1).TryQuiesce());
        cluster.Process(1);
        cluster.InFlight.Reverse();
        cluster.Deliver();

        Assert.All(cluster.Ids, id => Assert.True(cluster.Node(id).IsQuiescent, $"member {id} woke up"));
    }

    [Fact]
    public void AQuietGroupSendsNothingAndElectsNobody()
    {
        var cluster = QuietGroup();

        for (var i = 0; i < 100; i++)
        {
            cluster.TickAll();
            Assert.Empty(cluster.Deliver());
        }

        Assert.Equal(1UL, cluster.Leader);
        Assert.Equal(1UL, cluster.Node(2).Term);
    }

    [Fact]
    public void ALeaderWithUncommittedOrUnacknowledgedEntriesStaysAwake()
    {
        var cluster = IdleGroup();
        cluster.Propose(1, "b");
        cluster.Process(1);

        Assert.False(cluster.Node(1).TryQuiesce());

        cluster.Deliver();
        cluster.Tick(1);
        cluster.Deliver();
        Assert.True(cluster.Node(1).TryQuiesce());
    }

    [Fact]
    public void ALeaderWithAMemberDownAndBehindStaysAwake()
    {
        var cluster = IdleGroup();
        cluster.Isolate(3);
        cluster.Propose(1, "b");
        cluster.Deliver();
        cluster.Tick(1);
        cluster.Deliver();

        Assert.False(cluster.Node(1).TryQuiesce());

        cluster.Heal();
        cluster.Tick(1);
        cluster.Deliver();
        Assert.True(cluster.Node(1).TryQuiesce());
    }

    [Fact]
    public void APendingReadKeepsTheLeaderAwake()
    {
        var cluster = IdleGroup();
        Assert.Equal(ReadIndexStatus.Pending, cluster.Node(1).ReadIndex(7));

        Assert.False(cluster.Node(1).TryQuiesce());
    }

    [Fact]
    public void AProposalWakesTheGroupAndCommits()
    {
        var cluster = QuietGroup();

        Assert.Equal(ProposeStatus.Accepted, cluster.Propose(1, "b").Status);
        Assert.False(cluster.Node(1).IsQuiescent);
        cluster.Deliver();

        Assert.All(cluster.Ids, id => Assert.False(cluster.Node(id).IsQuiescent));
        Assert.All(cluster.Ids, id => Assert.Equal(["a", "b"], cluster.Applied(id)));
    }

    [Fact]
    public void ALinearizableReadOnAQuietLeaderIsConfirmed()
    {
        var cluster = QuietGroup();

        cluster.Node(1).ReadIndex(9);
        cluster.Deliver();

        var read = Assert.Single(cluster.ReadStates(1));
        Assert.Equal(9UL, read.RequestId);
        Assert.Equal(cluster.Node(1).CommitIndex, read.Index);
    }

    [Fact]
    public void AFollowerWokenByItsHostWakesItsLeader()
    {
        var cluster = QuietGroup();

        cluster.Node(2).Wake();
        var delivered = cluster.Deliver();

        Assert.Contains(delivered, m => m.Type == MessageType.Wake && m.From == 2 && m.To == 1);
        Assert.Contains(delivered, m => m.Type == MessageType.Heartbeat && m.From == 1 && m.To == 3);
        Assert.False(cluster.Node(1).IsQuiescent);
        Assert.False(cluster.Node(3).IsQuiescent);

        // Nothing changed, so the leader may quiesce again at once.
        Assert.True(cluster.Node(1).TryQuiesce());
    }

    [Fact]
    public void FollowersWokenWhenTheirLeaderDiedElectWithinOneElectionTimeout()
    {
        var cluster = QuietGroup();
        cluster.Crash(1);

        cluster.Node(2).Wake(leaderSuspected: true);
        cluster.Node(3).Wake(leaderSuspected: true);
        var ticks = 0;
        while (cluster.Leader is null or 1 && ticks < 100)
        {
            cluster.Tick(2);
            cluster.Tick(3);
            cluster.Deliver();
            ticks++;
        }

        // The randomized timeout is 10 to 19 ticks; a suspected leader leaves only its random part.
        Assert.InRange(ticks, 1, 10);
        Assert.Contains(cluster.Leader!.Value, new ulong[] { 2, 3 });
    }

    [Fact]
    public void AQuietFollowerStillDefersToItsLeaderForAnElectionTimeout()
    {
        var cluster = QuietGroup();

        // Member 3 alone was woken without cause and campaigns; member 2, quiet, heard the leader moments ago.
        cluster.Isolate(1);
        cluster.Node(3).Wake();
        cluster.Tick(3, 25);
        cluster.Deliver();

        Assert.Equal(1UL, cluster.Node(2).Term);
        Assert.Equal(1UL, cluster.Node(2).Leader);
    }

    [Fact]
    public void AFollowerBehindTheQuiesceStaysAwakeAndIsCaughtUp()
    {
        var cluster = IdleGroup();
        cluster.Block(1, 3);
        cluster.Propose(1, "b");
        cluster.Deliver();

        // The leader believes 3 is behind, so it refuses; once 3 catches up, the Quiesce puts every member to sleep.
        Assert.False(cluster.Node(1).TryQuiesce());
        cluster.Heal();
        cluster.Tick(1);
        cluster.Deliver();
        Assert.True(cluster.Node(1).TryQuiesce());
        cluster.Deliver();

        Assert.True(cluster.Node(3).IsQuiescent);
        Assert.Equal(["a", "b"], cluster.Applied(3));
    }

    [Fact]
    public void AStaleQuiesceIsAnsweredAsAHeartbeat()
    {
        var cluster = IdleGroup();
        var node = cluster.Node(2);
        node.Step(new Message { Type = MessageType.Quiesce, From = 1, To = 2, Term = 1, Index = node.LastIndex + 5, Commit = node.CommitIndex });

        Assert.False(node.IsQuiescent);
        cluster.Process(2);
        Assert.Contains(cluster.InFlight, m => m.Type == MessageType.HeartbeatResponse && m.From == 2 && m.To == 1);
    }
}
