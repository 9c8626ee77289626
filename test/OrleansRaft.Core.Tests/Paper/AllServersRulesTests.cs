using static OrleansRaft.Core.Tests.Paper.Logs;

namespace OrleansRaft.Core.Tests.Paper;

/// <summary>Figure 2, "Rules for Servers", the rules that hold for every server whatever its role.</summary>
public sealed class AllServersRulesTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    // Rule: once the commit index passes the last applied index, the entries between are applied in log order.
    [Fact]
    public void CommittedEntriesAreHandedOutForApplyingInLogOrder()
    {
        var follower = TestNode.Follower(1, Three, term: 1, log: [E(1, 1, "a"), E(1, 2, "b"), E(1, 3, "c")]);

        follower.Step(Msg.Append(2, 1, 1, prevIndex: 3, prevTerm: 1, commit: 2));
        var readies = follower.DrainReadies();

        Assert.Equal(["a", "b"], readies.SelectMany(r => r.CommittedEntries).Select(Text));
        Assert.Equal(2UL, follower.Node.CommitIndex);
        Assert.Equal(2UL, follower.Node.AppliedIndex);

        follower.Step(Msg.Append(2, 1, 1, prevIndex: 3, prevTerm: 1, commit: 3));
        Assert.Equal(["c"], follower.DrainReadies().SelectMany(r => r.CommittedEntries).Select(Text));
        Assert.Equal(3UL, follower.Node.AppliedIndex);
    }

    // Rule: applying goes one entry after another; a byte bound per Ready only spreads the work over more Readies.
    [Fact]
    public void ApplyingUnderAByteBoundStillHandsOutEveryEntryOnceInOrder()
    {
        var follower = TestNode.Follower(1, Three, term: 1, log: [E(1, 1, "a"), E(1, 2, "b"), E(1, 3, "c")],
            configure: o => o.MaxCommittedSizePerReady = 1);

        follower.Step(Msg.Append(2, 1, 1, prevIndex: 3, prevTerm: 1, commit: 3));
        var batches = follower.DrainReadies()
            .Where(r => r.CommittedEntries.Count > 0)
            .Select(r => string.Join(",", r.CommittedEntries.Select(Text)))
            .ToArray();

        Assert.Equal(["a", "b", "c"], batches);
        Assert.Equal(3UL, follower.Node.AppliedIndex);
    }

    // Rule: a committed entry is not applied again after the host reports it applied.
    [Fact]
    public void AppliedEntriesAreNotHandedOutTwice()
    {
        var follower = TestNode.Follower(1, Three, term: 1, log: [E(1, 1, "a")]);
        follower.Step(Msg.Append(2, 1, 1, prevIndex: 1, prevTerm: 1, commit: 1));
        follower.Drain();

        follower.Step(Msg.Append(2, 1, 1, prevIndex: 1, prevTerm: 1, commit: 1));
        follower.Drain();

        Assert.Equal(["a"], follower.Applied.Select(Text));
    }

    public static TheoryData<RaftRole, MessageType> HigherTermCases()
    {
        var data = new TheoryData<RaftRole, MessageType>();
        foreach (var role in new[] { RaftRole.Follower, RaftRole.Candidate, RaftRole.Leader })
        {
            foreach (var type in new[] { MessageType.Append, MessageType.Heartbeat, MessageType.Vote, MessageType.AppendResponse, MessageType.VoteResponse, MessageType.HeartbeatResponse })
            {
                data.Add(role, type);
            }
        }

        return data;
    }

    // Rule: any request or response carrying a term above ours makes us adopt that term and become a follower.
    [Theory]
    [MemberData(nameof(HigherTermCases))]
    public void ATermAboveOursIsAdoptedAndTheMemberBecomesAFollower(RaftRole role, MessageType type)
    {
        var node = role switch
        {
            RaftRole.Follower => TestNode.Follower(1, Three, term: 1),
            RaftRole.Candidate => TestNode.Candidate(1, Three, term: 0),
            _ => TestNode.Leader(1, Three, term: 0),
        };
        Assert.Equal(role, node.Node.Role);
        Assert.Equal(1UL, node.Node.Term);

        node.Step(type switch
        {
            MessageType.Append => Msg.Append(2, 1, 5, prevIndex: 0, prevTerm: 0),
            MessageType.Heartbeat => Msg.Heartbeat(2, 1, 5),
            MessageType.Vote => Msg.Vote(2, 1, 5, lastIndex: 0, lastTerm: 0),
            MessageType.AppendResponse => Msg.AppendAck(2, 1, 5, 0),
            MessageType.VoteResponse => Msg.VoteGrant(2, 1, 5),
            _ => Msg.HeartbeatAck(2, 1, 5),
        });

        Assert.Equal(RaftRole.Follower, node.Node.Role);
        Assert.Equal(5UL, node.Node.Term);
        // Only a leader's own messages name the new leader.
        var expectedLeader = type is MessageType.Append or MessageType.Heartbeat ? 2UL : 0UL;
        Assert.Equal(expectedLeader, node.Node.Leader);
        var hardState = node.DrainReadies().Select(r => r.HardState).Last(h => h is not null);
        Assert.Equal(5UL, hardState!.Value.Term);
    }
}
