using System.Text.Json;
using OrleansRaft.Cli.Tests.Infrastructure;
using static OrleansRaft.Cli.Tests.Infrastructure.Expect;

namespace OrleansRaft.Cli.Tests;

/// <summary>status: every group's members with their silo, role, term, commit and applied index, and lag.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class StatusCommandTests(CliCluster cluster)
{
    [Fact]
    public async Task Status_prints_one_row_per_member_with_one_leader()
    {
        var leader = await cluster.WaitForLeaderAsync();
        var results = await Task.WhenAll(cluster.RunAsync("status"), cluster.RunAsync("status", "--json"));

        var lines = Ok(results[0]).Lines;
        Assert.Equal(["GROUP", "MEMBER", "SILO", "ROLE", "TERM", "COMMIT", "APPLIED", "LAG"], Cells(lines[0]));
        var rows = lines[1..].Select(Cells).ToArray();
        Assert.Equal(["1", "2", "3"], rows.Select(r => r[1]));
        Assert.All(rows, r => Assert.Equal(CliCluster.Group, r[0]));
        Assert.Equal(leader.Silo, Assert.Single(rows, r => r[3] == "leader")[2]);
        Assert.Equal(3, rows.Select(r => r[2]).Distinct().Count());

        var group = Assert.Single(JsonDocument.Parse(Ok(results[1]).Stdout).RootElement.EnumerateArray());
        Assert.Equal(CliCluster.Group, group.GetProperty("group").GetString());
        Assert.True(group.GetProperty("leader").GetUInt64() > 0);
        var members = group.GetProperty("members").EnumerateArray().ToArray();
        Assert.Equal(3, members.Length);
        Assert.All(members, m => Assert.True(m.GetProperty("applied").GetUInt64() <= m.GetProperty("commit").GetUInt64()));
    }

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
