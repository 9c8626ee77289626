using Orleans.Serialization;
using OrleansRaft.Abstractions;

namespace OrleansRaft.Hosting.Tests.Infrastructure;

/// <summary>A typed state machine for the suites: named totals, and a command that fails on purpose.</summary>
public sealed class TallyStateMachine(Serializer serializer) : RaftStateMachine<TallyState, TallyCommand, TallyResult>(serializer)
{
    public const string TypeName = "tally";

    protected override TallyResult Apply(TallyCommand command, RaftCommandContext context)
    {
        switch (command)
        {
            case TallyAdd add:
                State.Totals[add.Key] = State.Totals.GetValueOrDefault(add.Key) + add.Amount;
                State.Commands++;
                return new TallyResult(State.Totals[add.Key], State.Commands);
            case TallyFail fail:
                throw new InvalidOperationException(fail.Reason);
            default:
                throw new ArgumentException($"{command.GetType().Name} is a query, not a command.");
        }
    }

    protected override TallyResult Query(TallyCommand query) => query switch
    {
        TallyGet get => new TallyResult(State.Totals.GetValueOrDefault(get.Key), State.Commands),
        _ => throw new ArgumentException($"{query.GetType().Name} is a command, not a query."),
    };
}

[GenerateSerializer, Alias("tests.tally-state")]
public sealed class TallyState
{
    [Id(0)]
    public Dictionary<string, long> Totals { get; set; } = [];

    /// <summary>How many commands applied.</summary>
    [Id(1)]
    public long Commands { get; set; }
}

[GenerateSerializer, Alias("tests.tally-command")]
public abstract record TallyCommand;

[GenerateSerializer, Alias("tests.tally-add")]
public sealed record TallyAdd([property: Id(0)] string Key, [property: Id(1)] long Amount) : TallyCommand;

[GenerateSerializer, Alias("tests.tally-fail")]
public sealed record TallyFail([property: Id(0)] string Reason) : TallyCommand;

[GenerateSerializer, Alias("tests.tally-get")]
public sealed record TallyGet([property: Id(0)] string Key) : TallyCommand;

/// <summary>A key's total and how many commands the group applied, as of the answer.</summary>
[GenerateSerializer, Alias("tests.tally-result")]
public sealed record TallyResult([property: Id(0)] long Total, [property: Id(1)] long Commands);
