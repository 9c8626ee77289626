using OrleansRaft.Cli.Tests.Infrastructure;
using static OrleansRaft.Cli.Tests.Infrastructure.Expect;

namespace OrleansRaft.Cli.Tests;

/// <summary>The CLI keeps working after the silo of the group's leader dies, gateway included.</summary>
[Collection(FailoverClusterCollection.Name)]
public sealed class FailoverTests(CliCluster cluster)
{
    [Fact]
    public async Task After_the_leader_s_silo_is_killed_the_cli_writes_reads_and_reports_the_new_leader()
    {
        Ok(await cluster.RunAsync("put", "/failover/before", "1"));
        var leader = await cluster.LeaderOffPrimaryAsync();
        await cluster.KillSiloOfAsync(leader);
        await cluster.WaitForLeaderAsync(notOnSilo: leader.Silo);

        // The killed silo's gateway is still listed: the client connects through another.
        Assert.Equal(["OK"], Ok(await cluster.RunAsync("put", "/failover/after", "2")).Lines);
        Assert.Equal(["/failover/after", "2", "/failover/before", "1"], Ok(await cluster.RunAsync("get", "/failover/", "--prefix")).Lines);

        // The killed silo hosts nothing any more: its member shows as unreachable, or lives again on a live silo.
        var status = Ok(await cluster.RunAsync("status")).Lines;
        var rows = status[1..].Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        Assert.Equal(["1", "2", "3"], rows.Select(r => r[1]));
        Assert.DoesNotContain(rows, r => r[2] == leader.Silo);
        Assert.Single(rows, r => r[3] == "leader");
    }
}
