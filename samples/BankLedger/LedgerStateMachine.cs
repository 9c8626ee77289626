using Orleans.Serialization;
using OrleansRaft.Abstractions;

namespace BankLedger;

/// <summary>The replicated ledger: balances that never go negative.</summary>
public sealed class LedgerStateMachine(Serializer serializer) : RaftStateMachine<LedgerState, LedgerCommand, LedgerResult>(serializer)
{
    public const string TypeName = "bank-ledger";

    protected override LedgerResult Apply(LedgerCommand command, RaftCommandContext context) => State.Apply(command);

    protected override LedgerResult Query(LedgerCommand query) => query is GetBalance q
        ? new LedgerResult(State.Balances.GetValueOrDefault(q.Account))
        : throw new ArgumentException($"Not a ledger query: {query}.");
}
