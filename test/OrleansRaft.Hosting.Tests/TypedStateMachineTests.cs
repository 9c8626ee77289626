using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

/// <summary>The typed state machine layer and its session table, driven directly, without a cluster.</summary>
public sealed class TypedStateMachineTests
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
    private static readonly RaftTypedCodec Codec = new(Serializer);

    [Fact]
    public void Commands_apply_in_order_and_queries_read_without_changing_the_state()
    {
        IRaftStateMachine machine = new TallyStateMachine(Serializer);

        var results = Apply(machine, Command(1, new TallyAdd("a", 5)), Command(2, new TallyAdd("a", 2)), Command(3, new TallyAdd("b", 1)));

        Assert.Equal([new TallyResult(5, 1), new TallyResult(7, 2), new TallyResult(1, 3)], results.Select(r => Result(r)));
        Assert.Equal(new TallyResult(7, 3), Result(machine.Query(Codec.Encode<TallyCommand>(new TallyGet("a")))));
        Assert.Equal(new TallyResult(7, 3), Result(machine.Query(Codec.Encode<TallyCommand>(new TallyGet("a")))));
    }

    [Fact]
    public void A_command_of_a_session_that_reaches_the_log_twice_applies_once_and_both_get_the_first_answer()
    {
        IRaftStateMachine machine = new TallyStateMachine(Serializer);
        var opened = Response(Apply(machine, Entry(1, new RaftEnvelope(RaftEnvelopeKind.OpenSession, 0, 0, 0, default)))[0]);
        Assert.Equal(RaftResponseStatus.SessionOpened, opened.Status);
        Assert.Equal(1UL, opened.SessionId);

        var stamped = new RaftEnvelope(RaftEnvelopeKind.Command, 1, 1, 1, Codec.Encode<TallyCommand>(new TallyAdd("a", 5)));
        var results = Apply(machine, Entry(2, stamped), Entry(3, stamped));

        Assert.Equal(new TallyResult(5, 1), Result(results[0]));
        Assert.Equal(new TallyResult(5, 1), Result(results[1]));
        Assert.Equal(new TallyResult(5, 1), Result(machine.Query(Codec.Encode<TallyCommand>(new TallyGet("a")))));
    }

    [Fact]
    public void Refusals_say_what_was_wrong_and_change_nothing()
    {
        IRaftStateMachine machine = new TallyStateMachine(Serializer);
        Apply(machine, Command(1, new TallyAdd("a", 5)));

        var results = Apply(
            machine,
            new RaftCommittedEntry(2, 1, new byte[] { 1, 2, 3 }),
            Entry(3, new RaftEnvelope(RaftEnvelopeKind.Command, 0, 0, 0, new byte[] { 9, 9 })),
            Command(4, new TallyFail("the ledger is closed")),
            Entry(5, new RaftEnvelope(RaftEnvelopeKind.Command, 42, 1, 1, Codec.Encode<TallyCommand>(new TallyAdd("a", 1)))),
            Entry(6, new RaftEnvelope(RaftEnvelopeKind.Command, 42, 0, 0, Codec.Encode<TallyCommand>(new TallyAdd("a", 1)))));

        var undecodable = Response(results[0]);
        Assert.Equal(RaftResponseStatus.Undecodable, undecodable.Status);
        Assert.StartsWith("entry 2 (3 bytes) could not be decoded as a RaftEnvelope", undecodable.Error);
        var badCommand = Response(results[1]);
        Assert.Equal(RaftResponseStatus.Undecodable, badCommand.Status);
        Assert.StartsWith("the command of entry 3 (2 bytes) could not be decoded as a TallyCommand", badCommand.Error);
        Assert.Equal(new RaftResponse(RaftResponseStatus.Failed, default, 0, "the ledger is closed"), Response(results[2]) with { Payload = default });
        Assert.Equal(RaftResponseStatus.SessionExpired, Response(results[3]).Status);
        Assert.Equal("session 42 is unknown, closed or expired", Response(results[3]).Error);
        Assert.Equal(RaftResponseStatus.InvalidArgument, Response(results[4]).Status);
        Assert.Equal(new TallyResult(5, 1), Result(machine.Query(Codec.Encode<TallyCommand>(new TallyGet("a")))));
        Assert.Equal(RaftResponseStatus.Undecodable, Response(machine.Query(new byte[] { 7 })).Status);
    }

    [Fact]
    public void A_snapshot_restores_state_and_sessions_and_a_bad_one_is_refused_keeping_the_state()
    {
        IRaftStateMachine machine = new TallyStateMachine(Serializer);
        Apply(machine, Entry(1, new RaftEnvelope(RaftEnvelopeKind.OpenSession, 0, 0, 0, default)));
        var stamped = new RaftEnvelope(RaftEnvelopeKind.Command, 1, 1, 1, Codec.Encode<TallyCommand>(new TallyAdd("a", 5)));
        Apply(machine, Entry(2, stamped));
        var snapshot = machine.Snapshot();

        IRaftStateMachine restored = new TallyStateMachine(Serializer);
        restored.Restore(snapshot);
        var retried = Apply(restored, Entry(3, stamped));

        Assert.Equal(new TallyResult(5, 1), Result(retried[0]));
        Assert.Equal(new TallyResult(5, 1), Result(restored.Query(Codec.Encode<TallyCommand>(new TallyGet("a")))));
        var refused = Assert.Throws<RaftDecodeException>(() => restored.Restore(new byte[] { 1, 2 }));
        Assert.StartsWith("the snapshot (2 bytes) could not be decoded as a RaftTypedSnapshot", refused.Message);
        Assert.Equal(new TallyResult(5, 1), Result(restored.Query(Codec.Encode<TallyCommand>(new TallyGet("a")))));
    }

    [Fact]
    public void Sessions_drop_acknowledged_answers_refuse_discarded_sequences_and_evict_the_least_recently_used()
    {
        var table = new RaftSessionTable(new RaftSessionLimits { MaxSessions = 2, MaxResultsPerSession = 2 });
        var runs = 0;
        RaftResponse Run(ReadOnlyMemory<byte> _) => RaftResponse.Ok(BitConverter.GetBytes(++runs));
        RaftResponse Send(ulong index, ulong session, ulong sequence, ulong acknowledgedBelow) =>
            table.Apply(index, new RaftEnvelope(RaftEnvelopeKind.Command, session, sequence, acknowledgedBelow, default), Run);

        table.Apply(1, new RaftEnvelope(RaftEnvelopeKind.OpenSession, 0, 0, 0, default), Run);
        table.Apply(2, new RaftEnvelope(RaftEnvelopeKind.OpenSession, 0, 0, 0, default), Run);
        Send(3, 1, 1, 1);
        Send(4, 1, 2, 1);
        Send(5, 1, 3, 1);
        Assert.Equal(3, runs);

        // Three answers for a bound of two: sequence 1's is dropped, and its retry refused rather than run again.
        Assert.Equal(RaftResponseStatus.SequenceDiscarded, Send(6, 1, 1, 1).Status);
        Assert.Equal(2, BitConverter.ToInt32(Send(7, 1, 2, 1).Payload.Span));

        // Acknowledging below 3 drops sequence 2's answer.
        Send(8, 1, 3, 3);
        Assert.Equal(RaftResponseStatus.SequenceDiscarded, Send(9, 1, 2, 2).Status);
        Assert.Equal(3, runs);

        // Session 2 was used last at index 2, session 1 at index 9: a third session evicts session 2.
        table.Apply(10, new RaftEnvelope(RaftEnvelopeKind.OpenSession, 0, 0, 0, default), Run);
        Assert.Equal(RaftResponseStatus.SessionExpired, Send(11, 2, 1, 1).Status);
        Assert.Equal(RaftResponseStatus.Ok, Send(12, 10, 1, 1).Status);
        Assert.Equal(RaftResponseStatus.SessionClosed, table.Apply(13, new RaftEnvelope(RaftEnvelopeKind.CloseSession, 1, 0, 0, default), Run).Status);
        Assert.Equal(RaftResponseStatus.SessionExpired, Send(14, 1, 4, 4).Status);
        Assert.Equal(4, runs);
    }

    private static RaftCommittedEntry Command(ulong index, TallyCommand command) =>
        Entry(index, new RaftEnvelope(RaftEnvelopeKind.Command, 0, 0, 0, Codec.Encode(command)));

    private static RaftCommittedEntry Entry(ulong index, RaftEnvelope envelope) => new(index, 1, Codec.Encode(envelope));

    private static ReadOnlyMemory<byte>[] Apply(IRaftStateMachine machine, params RaftCommittedEntry[] entries)
    {
        var results = new ReadOnlyMemory<byte>[entries.Length];
        machine.Apply(entries, results);
        return results;
    }

    private static RaftResponse Response(ReadOnlyMemory<byte> bytes) => Codec.Decode<RaftResponse>(bytes, "the answer");

    private static TallyResult Result(ReadOnlyMemory<byte> bytes)
    {
        var response = Response(bytes);
        Assert.True(response.Status == RaftResponseStatus.Ok, $"{response.Status}: {response.Error}");
        return Codec.Decode<TallyResult>(response.Payload, "the result");
    }
}
