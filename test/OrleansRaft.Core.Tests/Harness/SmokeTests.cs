using OrleansRaft.Core;

namespace OrleansRaft.Core.Tests.Harness;

public sealed class SmokeTests
{
    [Fact]
    public void ThreeMembersElectCommitAndSurviveTheLeadersCrash()
    {
        var cluster = new RaftHarness(3);
        cluster.Elect(1);
        Assert.Equal(1UL, cluster.Leader);
        Assert.True(cluster.Propose(1, "a").IsAccepted);
        cluster.Deliver();
        Assert.Equal(["a"], cluster.Applied(1));
        Assert.Equal(["a"], cluster.Applied(2));

        cluster.Crash(1);
        // Member 3 ignores candidates while its leader's lease lasts: let it expire first.
        cluster.Tick(3, 10);
        cluster.Elect(2);
        Assert.Equal(2UL, cluster.Leader);
        Assert.True(cluster.Propose(2, "b").IsAccepted);
        cluster.Deliver();
        Assert.Equal(["a", "b"], cluster.Applied(3));

        cluster.Restart(1);
        cluster.TickAll(1);
        cluster.Node(2).Tick();
        cluster.Deliver();
        Assert.Equal(RaftRole.Follower, cluster.Node(1).Role);
        Assert.Equal(["a", "b"], cluster.Applied(1));
    }
}
