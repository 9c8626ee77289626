using OrleansRaft.Core.Tests.Harness;

namespace OrleansRaft.Core.Tests.Paper;

/// <summary>Membership changes, one member at a time (Raft thesis chapter 4, with the erratum to §4.3).</summary>
public sealed class MembershipChangeTests
{
    /// <summary>A group of three with an elected leader 1 whose first entry has committed.</summary>
    private static RaftHarness ElectedGroup(int size = 3, Action<RaftOptions>? configure = null)
    {
        var cluster = new RaftHarness(size, configure);
        cluster.Elect(1);
        return cluster;
    }

    // §4.2.1: a new member catches up as a learner, without counting toward the quorum; once promoted it counts.
    [Fact]
    public void ANewMemberJoinsAsALearnerAndCountsOnlyOncePromoted()
    {
        var cluster = ElectedGroup();
        cluster.AddMember(4);
        cluster.Propose(1, "a");
        cluster.Deliver();

        var added = cluster.ChangeConfiguration(1, ConfigurationChange.AddLearner(4));
        cluster.Deliver();

        Assert.Equal(ConfigurationChangeStatus.Accepted, added.Status);
        Assert.Equal(new MembershipConfiguration([1, 2, 3], [4]), added.Configuration);
        Assert.Equal(["a"], cluster.Applied(4));
        Assert.All(cluster.Ids, id => Assert.Equal(added.Configuration, cluster.Node(id).Configuration));
        Assert.False(cluster.Node(4).IsPromotable);

        var promoted = cluster.ChangeConfiguration(1, ConfigurationChange.PromoteLearner(4));
        cluster.Deliver();

        Assert.Equal(ConfigurationChangeStatus.Accepted, promoted.Status);
        Assert.True(cluster.Node(4).IsPromotable);
        Assert.Equal(4, cluster.Node(1).Configuration.Voters.Count);

        // Quorum is now three of four: the leader and one follower are not enough.
        cluster.Partition([1, 2], [3, 4]);
        var x = cluster.Propose(1, "x");
        cluster.Deliver();
        Assert.True(cluster.Node(1).CommitIndex < x.Index);
    }

    // §4.2.1: a learner's acknowledgements never commit anything, and it never campaigns.
    [Fact]
    public void ALearnerNeitherCommitsNorCampaigns()
    {
        var cluster = new RaftHarness([1, 2], [3]);
        cluster.Elect(1);
        cluster.Isolate(2);

        var x = cluster.Propose(1, "x");
        cluster.Deliver();
        Assert.True(cluster.Node(1).CommitIndex < x.Index);
        Assert.Equal(x.Index, cluster.Node(3).LastIndex);

        cluster.Isolate(1);
        cluster.Tick(3, 50);
        cluster.Deliver();
        Assert.Equal(RaftRole.Follower, cluster.Node(3).Role);
        Assert.Equal(1UL, cluster.Node(3).Term);
    }

    // Erratum to §4.3: a new leader changes the membership only after an entry of its own term has committed.
    [Fact]
    public void ANewLeaderProposesNoChangeBeforeItsTermCommits()
    {
        var cluster = new RaftHarness(3);
        cluster.Node(1).Campaign();
        while (cluster.Node(1).Role != RaftRole.Leader)
        {
            // One hop at a time, so that the new leader's first entry is not yet replicated.
            cluster.ProcessAll();
            var hop = cluster.InFlight.ToList();
            cluster.InFlight.Clear();
            hop.ForEach(m => cluster.Node(m.To).Step(m));
        }

        Assert.Equal(RaftRole.Leader, cluster.Node(1).Role);
        Assert.Equal(0UL, cluster.Node(1).CommitIndex);

        var refused = cluster.ChangeConfiguration(1, ConfigurationChange.AddLearner(4));

        Assert.Equal(new ConfigurationChangeResult(ConfigurationChangeStatus.LeaderTermNotCommitted, 0, 0, 1, null), refused);
        cluster.Deliver();
        Assert.True(cluster.ChangeConfiguration(1, ConfigurationChange.AddLearner(4)).IsAccepted);
    }

    // §4.1: only one change is in flight; the next is accepted once the previous commits.
    [Fact]
    public void ASecondChangeWaitsForTheFirstToCommit()
    {
        var cluster = ElectedGroup();
        Assert.True(cluster.ChangeConfiguration(1, ConfigurationChange.AddLearner(4)).IsAccepted);

        var second = cluster.ChangeConfiguration(1, ConfigurationChange.AddLearner(5));

        Assert.Equal(ConfigurationChangeStatus.ChangeInProgress, second.Status);
        cluster.Deliver();
        Assert.True(cluster.ChangeConfiguration(1, ConfigurationChange.AddLearner(5)).IsAccepted);
    }

    [Fact]
    public void InvalidChangesAreRefusedWithTheirReason()
    {
        var cluster = new RaftHarness([1], [2]);
        cluster.Elect(1);

        Assert.Equal(ConfigurationChangeStatus.AlreadyMember, cluster.ChangeConfiguration(1, ConfigurationChange.AddLearner(2)).Status);
        Assert.Equal(ConfigurationChangeStatus.NotMember, cluster.ChangeConfiguration(1, ConfigurationChange.RemoveMember(7)).Status);
        Assert.Equal(ConfigurationChangeStatus.NotLearner, cluster.ChangeConfiguration(1, ConfigurationChange.PromoteLearner(1)).Status);
        Assert.Equal(ConfigurationChangeStatus.LastVoter, cluster.ChangeConfiguration(1, ConfigurationChange.RemoveMember(1)).Status);
        Assert.Equal(ConfigurationChangeStatus.InvalidMemberId, cluster.ChangeConfiguration(1, ConfigurationChange.AddLearner(0)).Status);
        Assert.Equal(
            new ConfigurationChangeResult(ConfigurationChangeStatus.NotLeader, 0, 0, 1, null),
            cluster.ChangeConfiguration(2, ConfigurationChange.AddLearner(3)));
    }

    // A learner far behind the commit index is not promoted: as a voter it would stall commits until it caught up.
    [Fact]
    public void ALaggingLearnerIsNotPromoted()
    {
        var cluster = ElectedGroup(configure: o => o.MaxPromotionLag = 2);
        cluster.AddMember(4);
        cluster.ChangeConfiguration(1, ConfigurationChange.AddLearner(4));
        cluster.Deliver();
        cluster.Isolate(4);
        foreach (var data in new[] { "a", "b", "c" })
        {
            cluster.Propose(1, data);
        }

        cluster.Deliver();

        Assert.Equal(ConfigurationChangeStatus.LearnerBehind, cluster.ChangeConfiguration(1, ConfigurationChange.PromoteLearner(4)).Status);
        cluster.Heal();
        cluster.Tick(1);
        cluster.Deliver();
        Assert.True(cluster.ChangeConfiguration(1, ConfigurationChange.PromoteLearner(4)).IsAccepted);
    }

    // §4.2.2: a removed follower is sent nothing more, and its own campaigns cannot disturb the group.
    [Fact]
    public void ARemovedFollowerIsLeftAlone()
    {
        var cluster = ElectedGroup();
        Assert.True(cluster.ChangeConfiguration(1, ConfigurationChange.RemoveMember(3)).IsAccepted);
        cluster.Deliver();
        var last = cluster.Node(3).LastIndex;

        cluster.Propose(1, "x");
        cluster.TickAll(5);
        var delivered = cluster.Deliver();

        Assert.DoesNotContain(delivered, m => m.To == 3);
        Assert.Equal(last, cluster.Node(3).LastIndex);
        Assert.Equal(["x"], cluster.Applied(2));

        // Its election timeouts pass: with pre-vote and leader stickiness the others ignore it.
        for (var i = 0; i < 40; i++)
        {
            cluster.TickAll();
            cluster.Deliver();
        }

        Assert.Equal(1UL, cluster.Leader);
        Assert.Equal(1UL, cluster.Node(1).Term);
    }

    // §4.2.2: the leader removes itself, commits the removal on the others, then hands over at once with TimeoutNow.
    [Fact]
    public void ARemovedLeaderHandsOverOnceTheRemovalCommits()
    {
        var cluster = ElectedGroup();
        var removal = cluster.ChangeConfiguration(1, ConfigurationChange.RemoveMember(1));
        Assert.True(removal.IsAccepted);
        Assert.Equal(RaftRole.Leader, cluster.Node(1).Role);
        Assert.False(cluster.Node(1).IsPromotable);

        var delivered = cluster.Deliver();

        Assert.Contains(delivered, m => m.Type == MessageType.TimeoutNow && m.From == 1);
        Assert.Equal(RaftRole.Follower, cluster.Node(1).Role);
        Assert.NotNull(cluster.Leader);
        Assert.NotEqual(1UL, cluster.Leader);
        Assert.Equal(2UL, cluster.Node(cluster.Leader!.Value).Term);
        Assert.True(cluster.Node(1).CommitIndex >= removal.Index);

        // It never campaigns again.
        cluster.Tick(1, 50);
        cluster.Deliver();
        Assert.Equal(RaftRole.Follower, cluster.Node(1).Role);
        Assert.Equal(1UL, cluster.Node(1).Term);
    }

    // A leader that removed itself does not count itself: a read needs the remaining voter's confirmation.
    [Fact]
    public void ALeaderThatRemovedItselfDoesNotConfirmReadsAlone()
    {
        var cluster = new RaftHarness(2);
        cluster.Elect(1);
        cluster.ChangeConfiguration(1, ConfigurationChange.RemoveMember(1));
        cluster.Isolate(2);

        cluster.Node(1).ReadIndex(42);
        cluster.Deliver();

        Assert.Empty(cluster.ReadStates(1));
        Assert.Equal(RaftRole.Leader, cluster.Node(1).Role);
    }

    // §5.1: a vote request of an older term is answered with the newer term. After a membership change a lagging
    // member may campaign in an older membership that leaves out the candidate that could win; if that candidate's
    // requests went unanswered, neither would ever learn the other's term and no leader would be elected.
    [Fact]
    public void AVoteRequestOfAnOlderTermIsAnsweredWithTheNewerTerm()
    {
        var cluster = new RaftHarness(3, o => o.PreVote = false);
        cluster.Isolate(1);
        for (var i = 0; i < 3; i++)
        {
            cluster.Node(1).Campaign();
            cluster.Deliver();
        }

        Assert.Equal(3UL, cluster.Node(1).Term);
        cluster.Partition([1, 3], [2]);
        cluster.Node(3).Campaign();
        var delivered = cluster.Deliver();

        Assert.Contains(delivered, m => m is { Type: MessageType.VoteResponse, From: 1, To: 3, Term: 3, Reject: true });
        Assert.Equal(3UL, cluster.Node(3).Term);
    }

    // The configuration in force survives a restart: it is recomputed from the snapshot and the log.
    [Fact]
    public void TheConfigurationSurvivesARestart()
    {
        var cluster = ElectedGroup();
        cluster.AddMember(4);
        cluster.ChangeConfiguration(1, ConfigurationChange.AddLearner(4));
        cluster.Deliver();
        cluster.Compact(2);
        cluster.ChangeConfiguration(1, ConfigurationChange.PromoteLearner(4));
        cluster.Deliver();
        var expected = new MembershipConfiguration([1, 2, 3, 4]);

        foreach (var id in new ulong[] { 2, 4 })
        {
            cluster.Crash(id);
            cluster.Restart(id);
            Assert.Equal(expected, cluster.Node(id).Configuration);
        }

        Assert.Equal(new MembershipConfiguration([1, 2, 3], [4]), cluster.Storage(2).Snapshot.Metadata.Configuration);
    }

    // An uncommitted configuration entry in the persisted log is in force after a restart, too.
    [Fact]
    public void AnUncommittedConfigurationInThePersistedLogIsInForceAfterARestart()
    {
        var cluster = ElectedGroup();
        cluster.Partition([1, 2], [3]);
        cluster.Block(2, 1);
        cluster.ChangeConfiguration(1, ConfigurationChange.RemoveMember(3));
        cluster.Deliver();
        Assert.True(cluster.Node(2).CommitIndex < cluster.Node(2).LastIndex);

        cluster.Crash(2);
        cluster.Restart(2);

        Assert.Equal(new MembershipConfiguration([1, 2]), cluster.Node(2).Configuration);
    }

    // The Ready reports the configuration in force when it changes, and the applied one when a change is applied.
    [Fact]
    public void TheReadyReportsTheConfigurationInForceAndTheAppliedOne()
    {
        var cluster = ElectedGroup();
        var change = cluster.ChangeConfiguration(1, ConfigurationChange.AddLearner(4));

        var first = cluster.Process(1);

        Assert.Equal(change.Configuration, first[0].Configuration);
        Assert.Null(first[0].AppliedConfiguration);
        cluster.Deliver();
        Assert.Equal([change.Configuration!], cluster.AppliedConfigurations(1));
        Assert.Equal([change.Configuration!], cluster.AppliedConfigurations(2));
        Assert.Equal(change.Configuration, cluster.Node(2).ConfigurationAt(cluster.Node(2).AppliedIndex));
        Assert.Throws<ArgumentOutOfRangeException>(() => cluster.Node(2).ConfigurationAt(change.Index - 1));
    }
}
