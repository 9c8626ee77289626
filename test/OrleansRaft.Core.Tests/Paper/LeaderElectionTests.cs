using OrleansRaft.Core.Tests.Harness;

namespace OrleansRaft.Core.Tests.Paper;

/// <summary>§5.2 Leader election.</summary>
public sealed class LeaderElectionTests
{
    private static void Basic(RaftOptions options)
    {
        options.PreVote = false;
        options.CheckQuorum = false;
    }

    // §5.2: election timeouts are drawn at random from a fixed interval, here [ElectionTicks, 2 * ElectionTicks).
    [Fact]
    public void ElectionTimeoutsAreDrawnAtRandomFromOneTimeoutToTwice()
    {
        var node = new RaftNode(TestNode.BasicOptions(1), new MemoryLogStore(new MembershipConfiguration([1, 2, 3])));
        var drawn = new HashSet<int> { node.RandomizedElectionTimeout };

        // Every new election draws a new timeout.
        for (var i = 0; i < 500; i++)
        {
            node.Campaign();
            drawn.Add(node.RandomizedElectionTimeout);
        }

        Assert.Equal(Enumerable.Range(10, 10), drawn.Order());
    }

    // §5.2: when a vote splits, randomized timeouts make one member time out first and win the next term.
    [Fact]
    public void ASplitVoteIsResolvedByTheMemberWhoseRandomTimeoutIsShortest()
    {
        var cluster = new RaftHarness(4, Basic);
        cluster.Block(1, 4);
        cluster.Block(2, 3);
        cluster.Node(1).Campaign();
        cluster.Node(2).Campaign();
        cluster.Deliver();

        // Members 1 and 3 against 2 and 4: two votes each, three needed.
        Assert.Null(cluster.Leader);
        Assert.Equal([RaftRole.Candidate, RaftRole.Candidate, RaftRole.Follower, RaftRole.Follower], cluster.Ids.Select(id => cluster.Node(id).Role));
        Assert.All(cluster.Ids, id => Assert.Equal(1UL, cluster.Node(id).Term));

        cluster.Heal();
        var timeouts = cluster.Ids.ToDictionary(id => id, id => cluster.Node(id).RandomizedElectionTimeout);
        var shortest = timeouts.Values.Min();
        var first = Assert.Single(timeouts, t => t.Value == shortest).Key;
        var ticks = 0;
        while (cluster.Leader is null && ticks < 20)
        {
            cluster.TickAll();
            cluster.Deliver();
            ticks++;
        }

        Assert.Equal(first, cluster.Leader);
        Assert.Equal(shortest, ticks);
        Assert.All(cluster.Ids, id => Assert.Equal(2UL, cluster.Node(id).Term));
    }

    // §5.2: a candidate that hears from a leader of its own term recognizes that leader and returns to being a follower.
    [Fact]
    public void ACandidateThatHearsFromTheLegitimateLeaderStepsDown()
    {
        var cluster = new RaftHarness(3, Basic);
        // Member 3 does not hear member 2 refuse it, so its election is still open when the winner's append arrives.
        cluster.Block(2, 3);
        cluster.Node(1).Campaign();
        cluster.Node(3).Campaign();
        cluster.Deliver();

        Assert.Equal(1UL, cluster.Leader);
        Assert.Equal(RaftRole.Follower, cluster.Node(3).Role);
        Assert.Equal(1UL, cluster.Node(3).Term);
        Assert.Equal(1UL, cluster.Node(3).Leader);
        Assert.Equal(1UL, cluster.Node(3).CommitIndex);
    }

    // §5.2: a leader keeps its followers from campaigning for as long as its heartbeats arrive.
    [Fact]
    public void HeartbeatsKeepTheLeaderInPlace()
    {
        var cluster = new RaftHarness(3, Basic);
        cluster.Elect(1);

        for (var i = 0; i < 100; i++)
        {
            cluster.TickAll();
            cluster.Deliver();
        }

        Assert.Equal(1UL, cluster.Leader);
        Assert.All(cluster.Ids, id => Assert.Equal(1UL, cluster.Node(id).Term));
    }

    // §5.2: once the leader is gone, the remaining majority elects a new one within two election timeouts.
    [Fact]
    public void AMajorityElectsANewLeaderAfterTheLeaderFails()
    {
        var cluster = new RaftHarness(5, Basic);
        cluster.Elect(1);
        cluster.Crash(1);

        var ticks = 0;
        while (cluster.Leader is null && ticks < 20)
        {
            foreach (var id in new ulong[] { 2, 3, 4, 5 })
            {
                cluster.Tick(id);
            }

            cluster.Deliver();
            ticks++;
        }

        Assert.NotNull(cluster.Leader);
        Assert.NotEqual(1UL, cluster.Leader);
        Assert.InRange(ticks, 10, 19);
        Assert.Equal(2UL, cluster.Node(cluster.Leader!.Value).Term);
    }
}
