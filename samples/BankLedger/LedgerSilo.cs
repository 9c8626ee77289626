using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Storage;

namespace BankLedger;

/// <summary>What a silo of the bank needs: Raft on PostgreSQL and the ledger's state machine.</summary>
public static class LedgerSilo
{
    public const string StorageName = "bank";

    public static ISiloBuilder AddBankLedger(this ISiloBuilder silo, string postgres, string adminToken) => silo
        .AddRaftPostgresStorage(StorageName, postgres)
        .AddOrleansRaft(o =>
        {
            o.StorageProviderName = StorageName;
            o.AdminToken = adminToken;
        })
        .AddRaftStateMachine<LedgerStateMachine>(LedgerStateMachine.TypeName);
}
