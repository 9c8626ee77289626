using BankLedger;
using Xunit;
using Orleans.TestingHost;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;

namespace BankLedger.Tests;

/// <summary>The bank on three in-process silos over PostgreSQL (ORLEANSRAFT_POSTGRES names the server).</summary>
public sealed class LedgerTests
{
    private const string AdminToken = "bank-sample-admin-token";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_ledger_and_its_statements_survive_a_kill_of_the_leaders_silo()
    {
        var postgres = Environment.GetEnvironmentVariable("ORLEANSRAFT_POSTGRES")
            ?? throw new InvalidOperationException("Set ORLEANSRAFT_POSTGRES to an Npgsql connection string (samples/build.sh starts a server).");
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ConfigureFileLogging = false;
        builder.Options.ServiceId = $"bank-{Guid.NewGuid():N}";
        builder.ConfigureSilo((_, silo) => silo.AddBankLedger(postgres, AdminToken));
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        await Until(async () => (await cluster.Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count == 3);

        await cluster.Client.GetGrain<IRaftGroupGrain>("bank").CreateAsync(new RaftGroupSpec([1, 2, 3], LedgerStateMachine.TypeName), AdminToken);
        await using var bank = await RaftGroupClient<LedgerCommand, LedgerResult>.ConnectAsync(cluster.Client, "bank", new RaftClientOptions { RequestTimeout = Bound });
        var statements = cluster.Client.GetGrain<IStatementGrain>("bank");
        await statements.FollowAsync();

        Assert.Equal(new LedgerResult(100), await bank.ProposeAsync(new Deposit("alice", 100)));
        Assert.Equal(new LedgerResult(70), await bank.ProposeAsync(new Transfer("alice", "bob", 30)));
        var refused = await Assert.ThrowsAsync<RaftCommandException>(() => bank.ProposeAsync(new Withdraw("bob", 31)));
        Assert.Equal(RaftResponseStatus.Failed, refused.Status);

        // Kill the silo of the leader; the client follows the new one, retrying what was in flight exactly once.
        var leader = await LeaderSiloAsync(cluster);
        await cluster.KillSiloAsync(cluster.Silos.Single(s => s.SiloAddress.ToString() == leader));
        Assert.Equal(new LedgerResult(20), await bank.ProposeAsync(new Withdraw("bob", 10)));
        Assert.Equal(new LedgerResult(75), await bank.ProposeAsync(new Deposit("alice", 5)));

        Assert.Equal(new LedgerResult(75), await bank.QueryAsync(new GetBalance("alice")));
        Assert.Equal(new LedgerResult(20), await bank.QueryAsync(new GetBalance("bob"), RaftCallOptions.Serializable with { MaxLeaderSilence = Bound }));
        Statements read = null!;
        await Until(async () => (read = await statements.GetAsync()).Lines.Values.Sum(l => l.Count) == 5);
        Assert.Equal(["+100", "-30 to bob", "+5"], read.Lines["alice"]);
        Assert.Equal(["+30 from alice", "-10"], read.Lines["bob"]);
    }

    /// <summary>The silo of the member that leads with a quorum agreeing.</summary>
    private static async Task<string> LeaderSiloAsync(InProcessTestCluster cluster)
    {
        string silo = "";
        await Until(async () =>
        {
            var statuses = await Task.WhenAll(new ulong[] { 1, 2, 3 }.Select(m => cluster.Client.GetGrain<IRaftMemberGrain>($"bank/{m}").GetStatusAsync()));
            var leader = statuses.FirstOrDefault(s => s.Role == RaftMemberRole.Leader);
            silo = leader?.Silo ?? "";
            return leader is not null && statuses.Count(s => s.Leader == leader.MemberId && s.Term == leader.Term) >= 2;
        });
        return silo;
    }

    /// <summary>Waits for <paramref name="condition"/>, retrying calls that fail while the cluster changes.</summary>
    private static async Task Until(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(Bound);
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
            }

            await Task.Delay(100, deadline.Token);
        }
    }
}
