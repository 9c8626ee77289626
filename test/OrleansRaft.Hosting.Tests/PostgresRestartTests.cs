using OrleansRaft.Hosting.Tests.Infrastructure;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Hosting.Tests;

/// <summary>
/// The group's state lives in PostgreSQL only: a cluster whose every silo died resumes from it, on Orleans' ADO.NET
/// provider and on OrleansRaft's batching one.
/// </summary>
public sealed class PostgresRestartTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(3, false)]
    [InlineData(5, false)]
    [InlineData(3, true)]
    [InlineData(5, true)]
    public async Task Killing_every_silo_and_starting_new_ones_resumes_the_group_with_all_committed_data(int size, bool batching)
    {
        var group = $"postgres-restart-{size}-{Guid.NewGuid():N}";
        var connectionString = TestPostgres.ConnectionString;
        Action<ISiloBuilder> storage = batching
            ? silo => silo.AddRaftPostgresBatchingStorage(RaftCluster.StorageName, connectionString)
            : silo => silo.AddRaftPostgresStorage(RaftCluster.StorageName, connectionString);
        ulong[] members;
        List<(int Command, ulong Index)> committed;
        await using (var first = await RaftCluster.StartAsync(size, storage, o => o.SnapshotEveryEntries = 40, group))
        {
            members = await first.CreateGroupAsync(group, size);
            var leader = await first.WaitForLeaderAsync(group, members, Bound);
            committed = [.. (await first.ProposeRangeAsync(group, members, 0, 100, concurrency: 4, Bound, leader.MemberId)).Select(r => (r.Command, r.Result.Index))];

            await first.ResolveMembersAsync(group, members, Bound);
            await first.KillSilosAsync(first.Cluster.Silos);
        }

        await using var second = await RaftCluster.StartAsync(size, storage, o => o.SnapshotEveryEntries = 40, group);
        var resumed = await second.WaitForLeaderAsync(group, members, Bound);
        var last = await second.ProposeAsync(group, members, BitConverter.GetBytes(100), Bound, resumed.MemberId);
        committed.Add((100, last.Index));

        var applied = await second.WaitForConvergenceAsync(group, members, committed.Count, Bound);
        // Each acknowledged command sits at the index its answer named, on every member.
        var byIndex = applied.ToDictionary(e => e.Index, e => BitConverter.ToInt32(e.Data.Span));
        Assert.All(committed, c => Assert.Equal(c.Command, byIndex.GetValueOrDefault(c.Index, -1)));

        Assert.True(await second.Group(group).DeleteAsync(RaftCluster.AdminToken));
    }
}
