using Microsoft.Extensions.Logging;
using OrleansRaft.Hosting.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansRaft.Hosting.Tests;

/// <summary>
/// Stopping or killing a silo is an expected event: the Raft grains log no warning about it (and no stack trace),
/// while the groups it hosted fail over and keep committing.
/// </summary>
public sealed class ShutdownLogTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stopping_or_killing_a_silo_logs_no_raft_warning(bool kill)
    {
        await using var raft = await RaftCluster.StartAsync(3);
        var groups = new[] { "stop-a", "stop-b", "stop-c" };
        var members = new Dictionary<string, ulong[]>();
        foreach (var group in groups)
        {
            members[group] = await raft.CreateGroupAsync(group, 3);
            await raft.WaitForLeaderAsync(group, members[group], Bound);
            await raft.ProposeAsync(group, members[group], BitConverter.GetBytes(1), Bound);
            await raft.ResolveMembersAsync(group, members[group], Bound);
        }

        var leader = await raft.WaitForLeaderAsync(groups[0], members[groups[0]], Bound);
        var before = raft.Logs.Entries.Count;
        if (kill)
        {
            await raft.KillSilosAsync([raft.SiloOf(leader)]);
        }
        else
        {
            await raft.Cluster.StopSiloAsync(raft.SiloOf(leader));
        }

        foreach (var group in groups)
        {
            await raft.ProposeAsync(group, members[group], BitConverter.GetBytes(2), Bound);
        }

        var logged = raft.Logs.Entries.Skip(before).Where(l => l.Level >= LogLevel.Warning).ToList();
        foreach (var entry in logged)
        {
            output.WriteLine($"{entry.Level} {entry.Category}: {entry.Message} {entry.Exception?.GetType().Name}: {entry.Exception?.Message}");
        }

        // A stop or a kill is expected: the Raft grains log it at Information, without exception objects.
        Assert.DoesNotContain(logged, l => l.Category.StartsWith("OrleansRaft.", StringComparison.Ordinal));
    }
}
