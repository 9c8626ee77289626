namespace OrleansRaft.Core.Tests.Paper;

/// <summary>Batching: proposals made before one Ready are persisted together and travel together, up to a byte bound per message.</summary>
public sealed class BatchingTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    /// <summary>A leader whose followers both acknowledged its first entry, so that it streams to them.</summary>
    private static TestNode ReplicatingLeader(Action<RaftOptions>? configure = null)
    {
        var leader = TestNode.Leader(1, Three, configure: configure);
        leader.Step(Msg.AppendAck(2, 1, 1, 1));
        leader.Step(Msg.AppendAck(3, 1, 1, 1));
        leader.Drain();
        return leader;
    }

    private static void ProposeMany(TestNode leader, int count, int bytes)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(leader.Node.Propose(new byte[bytes]).IsAccepted);
        }
    }

    // Batching: many proposals before one Ready make one write for the leader and one append per follower.
    [Fact]
    public void ProposalsBeforeOneReadyGoOutInOneAppendPerFollower()
    {
        var leader = ReplicatingLeader();
        ProposeMany(leader, 10, 8);

        var ready = leader.DrainReadies().First();

        Assert.Equal(Enumerable.Range(2, 10).Select(i => (ulong)i), ready.Entries.Select(e => e.Index));
        Assert.Equal(2, ready.Messages.Count);
        Assert.All(ready.Messages, m =>
        {
            Assert.Equal(MessageType.Append, m.Type);
            Assert.Equal(1UL, m.Index);
            Assert.Equal(Enumerable.Range(2, 10).Select(i => (ulong)i), m.Entries.Select(e => e.Index));
        });
    }

    // Batching: an append never carries more than MaxSizePerMessage bytes of entries; the rest follows in further appends.
    [Fact]
    public void AppendsAreSplitAtTheByteBound()
    {
        // Each 8-byte proposal counts 8 + 24 = 32 bytes: three fit in 96.
        var leader = ReplicatingLeader(o => o.MaxSizePerMessage = 96);
        ProposeMany(leader, 9, 8);

        var first = leader.Drain().Where(m => m.To == 2).ToList();
        leader.Step(Msg.AppendAck(2, 1, 1, first.Single().Entries[^1].Index));
        var rest = leader.Drain().Where(m => m.To == 2 && m.Entries.Length > 0).ToList();

        var appends = first.Concat(rest).ToList();
        Assert.Equal(["2-4", "5-7", "8-10"], appends.Select(m => $"{m.Entries[0].Index}-{m.Entries[^1].Index}"));
        Assert.All(appends, m => Assert.True(m.Entries.Sum(e => e.Size) <= 96));
    }

    // Batching: an entry larger than the bound still travels, alone.
    [Fact]
    public void AnEntryLargerThanTheBoundTravelsAlone()
    {
        var leader = ReplicatingLeader(o => o.MaxSizePerMessage = 96);
        ProposeMany(leader, 1, 200);
        ProposeMany(leader, 1, 8);

        var append = leader.Drain().First(m => m.To == 2);

        Assert.Equal([2UL], append.Entries.Select(e => e.Index));
        Assert.Equal(200, append.Entries[0].Data.Length);
    }

    // Batching: the payload handed to Propose is the one persisted and sent; it is shared, not copied.
    [Fact]
    public void AProposalsPayloadIsSharedNotCopied()
    {
        var leader = ReplicatingLeader();
        var payload = new byte[] { 1, 2, 3 };
        leader.Node.Propose(payload);

        var ready = leader.DrainReadies().First();

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(ready.Entries[0].Data, out var persisted));
        Assert.Same(payload, persisted.Array);
        Assert.All(ready.Messages, m =>
        {
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(m.Entries[0].Data, out var sent));
            Assert.Same(payload, sent.Array);
        });
    }
}
