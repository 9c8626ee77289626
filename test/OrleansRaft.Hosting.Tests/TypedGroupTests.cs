using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.Hosting.Tests.Infrastructure;
using OrleansRaft.TestSupport;
using Xunit.Abstractions;

namespace OrleansRaft.Hosting.Tests;

/// <summary>A typed group through <see cref="RaftGroupClient{TCommand, TResult}"/>, on PostgreSQL, each test on its own cluster.</summary>
public sealed class TypedGroupTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>Three silos on the process's PostgreSQL server, with a service id of their own.</summary>
    internal static Task<RaftCluster> StartOnPostgresAsync(Action<OrleansRaftOptions>? configure = null)
    {
        var connectionString = TestPostgres.ConnectionString;
        return RaftCluster.StartAsync(
            3, silo => silo.AddRaftPostgresBatchingStorage(RaftCluster.StorageName, connectionString), configure, serviceId: $"typed-{Guid.NewGuid():N}");
    }

    [Fact]
    public async Task Commands_queries_and_refusals_come_back_typed()
    {
        await using var raft = await StartOnPostgresAsync();
        var members = await raft.CreateGroupAsync("typed-calls", 3, TallyStateMachine.TypeName);
        await using var client = await RaftGroupClient<TallyCommand, TallyResult>.ConnectAsync(raft.Client, "typed-calls");

        Assert.Equal(new TallyResult(5, 1), await client.ProposeAsync(new TallyAdd("a", 5)));
        var write = await client.WriteAsync(new TallyAdd("a", 2));
        Assert.Equal(new TallyResult(7, 2), write.Result);
        Assert.Contains(write.MemberId, members);

        Assert.Equal(new TallyResult(7, 2), await client.QueryAsync(new TallyGet("a")));
        var stale = await client.ReadAsync(new TallyGet("a"), RaftCallOptions.Serializable with { MinIndex = write.Index });
        Assert.Equal(new TallyResult(7, 2), stale.Result);
        Assert.True(stale.Index >= write.Index && stale.Commit >= stale.Index);

        var failed = await Assert.ThrowsAsync<RaftCommandException>(() => client.ProposeAsync(new TallyFail("no overdrafts")));
        Assert.Equal(RaftResponseStatus.Failed, failed.Status);
        Assert.Equal("The Raft group 'typed-calls' refused the request (Failed): no overdrafts", failed.Message);
        var notAQuery = await Assert.ThrowsAsync<RaftCommandException>(() => client.QueryAsync(new TallyAdd("a", 1)));
        Assert.Equal("The Raft group 'typed-calls' refused the request (Failed): TallyAdd is a command, not a query.", notAQuery.Message);
        Assert.Equal(new TallyResult(7, 2), await client.QueryAsync(new TallyGet("a")));
        Assert.NotEqual(0UL, client.SessionId);
    }

    [Fact]
    public async Task Every_command_applies_exactly_once_while_the_leaders_silo_is_killed()
    {
        await using var raft = await StartOnPostgresAsync();
        var members = await raft.CreateGroupAsync("typed-once", 3, TallyStateMachine.TypeName);
        var leader = await raft.WaitForLeaderAsync("typed-once", members, Bound);
        await raft.ResolveMembersAsync("typed-once", members, Bound);
        var options = new RaftClientOptions { RequestTimeout = Bound };
        await using var client = await RaftGroupClient<TallyCommand, TallyResult>.ConnectAsync(raft.Client, "typed-once", options);

        // Four writers keep proposing while the leader's silo dies; answers lost with it make the client retry.
        const int perWriter = 25;
        var writers = Enumerable.Range(0, 4).Select(async w =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                await client.ProposeAsync(new TallyAdd($"w{w}", 1));
            }
        }).ToList();
        await RaftCluster.WaitUntilAsync(async () => (await client.QueryAsync(new TallyGet("w0"))).Commands >= 20, Bound, "20 commands to apply");
        var killed = raft.SiloOf(leader).SiloAddress.ToString();
        await raft.KillSilosAsync([raft.SiloOf(leader)]);
        await Task.WhenAll(writers);

        // The client's retries may wake the old leader's member on a live silo, and it may win the election: the
        // group is led again in a later term from a silo that lives, by whichever member.
        var next = await raft.WaitForLeaderAsync("typed-once", members, Bound);
        output.WriteLine($"member {leader.MemberId} led in term {leader.Term} and was killed; member {next.MemberId} leads in term {next.Term}");
        Assert.True(next.Term > leader.Term, $"member {next.MemberId} leads in term {next.Term}, the killed leader led in {leader.Term}");
        Assert.NotEqual(killed, next.Silo);
        for (var w = 0; w < 4; w++)
        {
            Assert.Equal(new TallyResult(perWriter, 4 * perWriter), await client.QueryAsync(new TallyGet($"w{w}")));
        }
    }
}
