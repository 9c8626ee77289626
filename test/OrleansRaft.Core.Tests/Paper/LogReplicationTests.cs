using OrleansRaft.Core.Tests.Harness;
using static OrleansRaft.Core.Tests.Paper.Logs;

namespace OrleansRaft.Core.Tests.Paper;

/// <summary>§5.3 Log replication.</summary>
public sealed class LogReplicationTests
{
    private static void Basic(RaftOptions options)
    {
        options.PreVote = false;
        options.CheckQuorum = false;
    }

    // §5.3, Figure 7: whatever the followers' logs, the new leader's appends make each of them equal to its own.
    [Fact]
    public void Figure7FollowerLogsAreMadeEqualToTheLeaders()
    {
        // The leader of term 8, then the followers (a) to (f) of Figure 7.
        ulong[][] logs =
        [
            [1, 1, 1, 4, 4, 5, 5, 6, 6, 6],
            [1, 1, 1, 4, 4, 5, 5, 6, 6],
            [1, 1, 1, 4],
            [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
            [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
            [1, 1, 1, 4, 4, 4, 4],
            [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
        ];
        var cluster = new RaftHarness(7, Basic);
        for (var i = 0; i < logs.Length; i++)
        {
            var id = (ulong)i + 1;
            cluster.Storage(id).Append(OfTerms(logs[i]));
            cluster.Storage(id).SetHardState(new HardState(7, 0, 0));
            cluster.Restart(id);
        }

        cluster.Elect(1);

        Assert.Equal(1UL, cluster.Leader);
        Assert.Equal(8UL, cluster.Node(1).Term);
        ulong[] expected = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 8];
        Assert.All(cluster.Ids, id =>
        {
            Assert.Equal(expected, Terms(cluster.Storage(id)));
            Assert.Equal(11UL, cluster.Node(id).CommitIndex);
            Assert.Equal(11UL, cluster.AppliedIndex(id));
        });
        // The entries the followers kept are the leader's own, not merely of the same terms.
        Assert.All(cluster.Ids, id => Assert.Equal(
            Entries(cluster.Storage(1)).Select(Text),
            Entries(cluster.Storage(id)).Select(Text)));
    }

    // §5.3, Log Matching: two logs that hold an entry with the same index and term are identical up to that index.
    [Fact]
    public void LogMatchingHoldsThroughLeaderChangesAndPartitions()
    {
        var cluster = new RaftHarness(5, Basic);
        void Check() => AssertLogMatching(cluster);

        cluster.Elect(1);
        cluster.Propose(1, "a");
        cluster.Deliver();
        Check();

        // Member 1 keeps a minority: what it appends now never commits.
        cluster.Partition([1, 2], [3, 4, 5]);
        cluster.Propose(1, "b");
        cluster.Propose(1, "c");
        cluster.Deliver();
        Check();

        cluster.Elect(3);
        cluster.Propose(3, "d");
        cluster.Deliver();
        Check();

        // Member 3 is cut off in turn; member 4, whose log is as recent, takes over with 1, 2 and 5.
        cluster.Partition([3], [1, 2, 4, 5]);
        cluster.Propose(3, "lost");
        cluster.Deliver();
        cluster.Elect(4);
        cluster.Propose(4, "e");
        cluster.Deliver();
        Check();

        cluster.Heal();
        cluster.Tick(4);
        cluster.Deliver();
        Check();

        Assert.Equal(4UL, cluster.Leader);
        Assert.All(cluster.Ids, id => Assert.Equal(["a", "d", "e"], cluster.Applied(id)));
    }

    // §5.3: a follower missing entries is brought up to date by the leader, one consistency check at a time.
    [Fact]
    public void AFollowerThatMissedEntriesIsBroughtUpToDate()
    {
        var cluster = new RaftHarness(3, Basic);
        cluster.Elect(1);
        cluster.Isolate(3);
        foreach (var data in new[] { "a", "b", "c" })
        {
            cluster.Propose(1, data);
            cluster.Deliver();
        }

        Assert.Equal(["a", "b", "c"], cluster.Applied(1));
        Assert.Empty(cluster.Applied(3));

        cluster.Heal();
        cluster.Tick(1);
        cluster.Deliver();

        Assert.Equal(["a", "b", "c"], cluster.Applied(3));
        Assert.Equal(Terms(cluster.Storage(1)), Terms(cluster.Storage(3)));
    }

    private static void AssertLogMatching(RaftHarness cluster)
    {
        var logs = cluster.Ids.ToDictionary(id => id, id => Entries(cluster.Storage(id)).ToDictionary(e => e.Index));
        foreach (var (a, logA) in logs)
        {
            foreach (var (b, logB) in logs.Where(l => l.Key > a))
            {
                foreach (var entry in logA.Values)
                {
                    if (!logB.TryGetValue(entry.Index, out var other) || other.Term != entry.Term)
                    {
                        continue;
                    }

                    for (var index = 1UL; index <= entry.Index; index++)
                    {
                        Assert.True(
                            logA[index].Term == logB[index].Term && Text(logA[index]) == Text(logB[index]),
                            $"Members {a} and {b} agree on {entry.Term}/{entry.Index} but differ at index {index}.");
                    }
                }
            }
        }
    }
}
