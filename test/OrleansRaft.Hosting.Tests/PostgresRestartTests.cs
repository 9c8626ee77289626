using OrleansRaft.Hosting.Storage;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

/// <summary>The group's state lives in PostgreSQL only: a cluster whose every silo died resumes from it.</summary>
public sealed class PostgresRestartTests(TestPostgres postgres) : IClassFixture<TestPostgres>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Killing_every_silo_and_starting_new_ones_resumes_the_group_with_all_committed_data()
    {
        var group = $"postgres-restart-{Guid.NewGuid():N}";
        Action<ISiloBuilder> storage = silo => silo.AddRaftPostgresStorage(RaftCluster.StorageName, postgres.ConnectionString);
        ulong[] members;
        List<int> committed = [];
        await using (var first = await RaftCluster.StartAsync(3, storage, o => o.SnapshotEveryEntries = 40, group))
        {
            members = await first.CreateGroupAsync(group, 3);
            var leader = await first.WaitForLeaderAsync(group, members, Bound);
            for (var i = 0; i < 100; i++)
            {
                await first.ProposeAsync(group, members, BitConverter.GetBytes(i), Bound, leader.MemberId);
                committed.Add(i);
            }

            foreach (var silo in first.Cluster.Silos.ToList())
            {
                await first.Cluster.KillSiloAsync(silo);
            }
        }

        await using var second = await RaftCluster.StartAsync(3, storage, o => o.SnapshotEveryEntries = 40, group);
        var resumed = await second.WaitForLeaderAsync(group, members, Bound);
        await second.ProposeAsync(group, members, BitConverter.GetBytes(100), Bound, resumed.MemberId);
        committed.Add(100);

        foreach (var member in members)
        {
            await RaftCluster.WaitUntilAsync(async () => (await second.AppliedAsync(group, member)).Count == 101, Bound, $"member {member} to apply everything");
            Assert.Equal(committed, (await second.AppliedAsync(group, member)).Select(e => BitConverter.ToInt32(e.Data.Span)));
        }

        Assert.True(await second.Group(group).DeleteAsync());
    }
}
