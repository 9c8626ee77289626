namespace BankLedger;

/// <summary>What the ledger is asked: commands that change balances, and the one query.</summary>
[GenerateSerializer]
public abstract record LedgerCommand;

[GenerateSerializer]
public sealed record Deposit([property: Id(0)] string Account, [property: Id(1)] long Amount) : LedgerCommand;

[GenerateSerializer]
public sealed record Withdraw([property: Id(0)] string Account, [property: Id(1)] long Amount) : LedgerCommand;

[GenerateSerializer]
public sealed record Transfer([property: Id(0)] string From, [property: Id(1)] string To, [property: Id(2)] long Amount) : LedgerCommand;

[GenerateSerializer]
public sealed record GetBalance([property: Id(0)] string Account) : LedgerCommand;

/// <summary>The balance of the command's (first) account after it.</summary>
[GenerateSerializer]
public sealed record LedgerResult([property: Id(0)] long Balance);

/// <summary>
/// The balances, and the one rule that changes them: the state machine applies commands with it, and the statement
/// read model replays them with it on its own copy, so that both agree on which commands were refused.
/// </summary>
[GenerateSerializer]
public sealed class LedgerState
{
    [Id(0)]
    public Dictionary<string, long> Balances { get; set; } = [];

    /// <summary>Applies <paramref name="command"/>; throws, changing nothing, when it is refused.</summary>
    public LedgerResult Apply(LedgerCommand command)
    {
        switch (command)
        {
            case Deposit d when d.Amount > 0:
                return new LedgerResult(Add(d.Account, d.Amount));
            case Withdraw w when w.Amount > 0:
                Require(w.Account, w.Amount);
                return new LedgerResult(Add(w.Account, -w.Amount));
            case Transfer t when t.Amount > 0 && t.From != t.To:
                Require(t.From, t.Amount);
                Add(t.To, t.Amount);
                return new LedgerResult(Add(t.From, -t.Amount));
            default:
                throw new ArgumentException($"Not a valid ledger command: {command}.");
        }
    }

    // Checked before anything changes: a refused command leaves the state as it was.
    private void Require(string account, long amount)
    {
        if (Balances.GetValueOrDefault(account) < amount)
        {
            throw new InvalidOperationException($"Insufficient funds in {account}.");
        }
    }

    private long Add(string account, long amount) => Balances[account] = Balances.GetValueOrDefault(account) + amount;
}
