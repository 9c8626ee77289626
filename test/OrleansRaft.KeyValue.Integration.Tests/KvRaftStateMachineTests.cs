using OrleansRaft.Abstractions;
using OrleansRaft.KeyValue.Hosting;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>The adapter between a Raft member and the key-value state machine, without a cluster.</summary>
public sealed class KvRaftStateMachineTests
{
    private static RaftCommittedEntry Put(ulong index, string key, string value) =>
        new(index, 1, KvCodec.EncodeCommand(new KvCommand(new PutRequest(KvBytes.From(key), KvBytes.From(value)))));

    [Fact]
    public void Commands_apply_at_their_indexes_and_each_gets_its_encoded_result()
    {
        var machine = new KvRaftStateMachine();
        var results = new ReadOnlyMemory<byte>[3];

        machine.Apply([Put(2, "a", "1"), Put(3, "b", "2"), new RaftCommittedEntry(5, 1, new byte[] { 0xFF })], results);

        Assert.Equal(2, Assert.IsType<PutResult>(KvCodec.DecodeResult(results[0].Span)).Revision);
        Assert.Equal(3, Assert.IsType<PutResult>(KvCodec.DecodeResult(results[1].Span)).Revision);
        Assert.Equal(KvErrorCode.UnsupportedFormat, Assert.IsType<ErrorResult>(KvCodec.DecodeResult(results[2].Span)).Code);
        Assert.Equal(5UL, machine.Store.AppliedIndex);
        var read = KvCodec.DecodeResult(machine.Query(KvCodec.EncodeQuery(new RangeRequest(KvBytes.From("b")))).Span);
        Assert.Equal("2", KvBytes.ToText(Assert.Single(Assert.IsType<RangeResult>(read).Kvs).Value));
    }

    [Fact]
    public void A_restored_snapshot_gives_the_same_state_and_an_empty_one_the_empty_store()
    {
        var machine = new KvRaftStateMachine();
        machine.Apply([Put(1, "a", "1"), Put(2, "b", "2")], new ReadOnlyMemory<byte>[2]);
        var snapshot = machine.Snapshot();

        var copy = new KvRaftStateMachine();
        copy.Restore(snapshot);
        machine.Restore(ReadOnlyMemory<byte>.Empty);

        Assert.Equal(snapshot.ToArray(), copy.Snapshot().ToArray());
        Assert.Equal(2UL, copy.Store.AppliedIndex);
        Assert.Equal(1, machine.Store.Revision);
        Assert.Equal(0UL, machine.Store.AppliedIndex);
    }

    [Fact]
    public void A_bad_snapshot_is_refused_and_the_state_is_kept()
    {
        var machine = new KvRaftStateMachine();
        machine.Apply([Put(1, "a", "1")], new ReadOnlyMemory<byte>[1]);
        var before = machine.Snapshot().ToArray();

        var error = Assert.Throws<KvException>(() => machine.Restore(new byte[] { 1, 2, 3 }));

        Assert.Equal(KvErrorCode.InvalidSnapshot, error.Code);
        Assert.Equal(before, machine.Snapshot().ToArray());
    }
}
