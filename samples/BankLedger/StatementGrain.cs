using Orleans.Serialization;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;

namespace BankLedger;

/// <summary>A read model of a ledger group (the grain's key): every account's statement, fed by the group's commits.</summary>
public interface IStatementGrain : IGrainWithStringKey
{
    /// <summary>Starts following the group; from then on every activation resumes where the last one acknowledged.</summary>
    Task FollowAsync();

    Task<Statements> GetAsync();
}

[GenerateSerializer]
public sealed class Statements
{
    [Id(0)]
    public RaftFeedPosition Position { get; set; } = RaftFeedPosition.Start();

    [Id(1)]
    public Dictionary<string, List<string>> Lines { get; set; } = [];

    [Id(2)]
    public bool Following { get; set; }

    /// <summary>The balances as of <see cref="Position"/>: tells which commands the ledger refused.</summary>
    [Id(3)]
    public LedgerState Ledger { get; set; } = new();
}

public sealed class StatementGrain(
    [PersistentState("statements", LedgerSilo.StorageName)] IPersistentState<Statements> statements,
    Serializer serializer) : Grain, IStatementGrain
{
    private readonly CancellationTokenSource _stop = new();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (statements.State.Following)
        {
            _ = FollowCommitsAsync();
        }

        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _stop.Cancel();
        return Task.CompletedTask;
    }

    public async Task FollowAsync()
    {
        if (!statements.State.Following)
        {
            statements.State.Following = true;
            await statements.WriteStateAsync();
            _ = FollowCommitsAsync();
        }
    }

    public Task<Statements> GetAsync() => Task.FromResult(statements.State);

    private async Task FollowCommitsAsync()
    {
        try
        {
            await ApplyCommitsAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The group is gone or a write failed: the next call starts a fresh activation from the persisted position.
            DeactivateOnIdle();
        }
    }

    private async Task ApplyCommitsAsync()
    {
        var feed = await RaftCommitFeed<LedgerState, LedgerCommand>.ConnectAsync(GrainFactory, serializer, this.GetPrimaryKeyString());
        await feed.RunAsync(statements.State.Position, async (batch, _) =>
        {
            var model = statements.State;
            if (batch.Snapshot is { } state)
            {
                // Behind the compacted log: start over from the balances.
                model.Ledger = state;
                model.Lines.Clear();
                foreach (var (account, balance) in state.Balances)
                {
                    Line(account, $"balance {balance}");
                }
            }

            foreach (var commit in batch.Commits)
            {
                if (!Applies(model.Ledger, commit.Command))
                {
                    continue;
                }

                switch (commit.Command)
                {
                    case Deposit d: Line(d.Account, $"+{d.Amount}"); break;
                    case Withdraw w: Line(w.Account, $"-{w.Amount}"); break;
                    case Transfer t: Line(t.From, $"-{t.Amount} to {t.To}"); Line(t.To, $"+{t.Amount} from {t.From}"); break;
                }
            }

            // The lines and the position in one write: each commit lands exactly once.
            statements.State.Position = batch.Next;
            await statements.WriteStateAsync();
        }, _stop.Token);

        static bool Applies(LedgerState ledger, LedgerCommand command)
        {
            try
            {
                ledger.Apply(command);
                return true;
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                return false; // refused by the ledger too: it changed nothing
            }
        }

        void Line(string account, string text) =>
            (statements.State.Lines.TryGetValue(account, out var list) ? list : statements.State.Lines[account] = []).Add(text);
    }
}
