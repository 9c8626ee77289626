using dotnet_etcd;
using OrleansRaft.Etcd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansRaft.Etcd.Tests;

/// <summary>
/// dotnet-etcd's recipes against the gateway while the leader's silo is killed end as they end against etcd 3.4
/// (where nothing is killed): the lock still serializes its holders, the election still has one fenced leader at a
/// time, the compare-and-swap loop still counts every increment once.
/// </summary>
[Collection(EtcdFaultCollection.Name)]
public sealed class DotnetEtcdRecipeFaultTests(EtcdFaultCluster fixture, RealEtcd etcd, ITestOutputHelper output) : IClassFixture<RealEtcd>
{
    [Fact]
    public async Task A_lock_serializes_its_holders_while_the_leader_dies() =>
        await SameOutcomeUnderAKillAsync((client, prefix) => DotnetEtcdRecipes.LockAsync(client, prefix, workers: 3, rounds: 6), "/faults/lock/", "counter");

    [Fact]
    public async Task An_election_has_one_fenced_leader_at_a_time_while_the_leader_dies() =>
        await SameOutcomeUnderAKillAsync((client, prefix) => DotnetEtcdRecipes.ElectionAsync(client, prefix, candidates: 3, rounds: 4), "/faults/elect/", "terms");

    [Fact]
    public async Task A_compare_and_swap_retry_loop_counts_every_increment_once_while_the_leader_dies() =>
        await SameOutcomeUnderAKillAsync((client, prefix) => DotnetEtcdRecipes.CompareAndSwapAsync(client, prefix, workers: 3, rounds: 25), "/faults/cas/", "counter");

    /// <summary>
    /// Runs the recipe on etcd, then on the gateway, where the leader's silo is killed once the recipe's first write
    /// (<paramref name="firstWrite"/> under the prefix) is there; the kill must land while the recipe runs.
    /// </summary>
    private async Task SameOutcomeUnderAKillAsync(Func<EtcdClient, string, Task<string>> recipe, string prefix, string firstWrite)
    {
        using (var reference = etcd.Connect())
        {
            var expected = await recipe(reference, prefix);
            output.WriteLine($"etcd: {expected}");
            using var gateway = new EtcdClient(fixture.Endpoints[0], configureChannelOptions: o => o.Credentials = Grpc.Core.ChannelCredentials.Insecure);
            using var watcher = new EtcdClient(fixture.Endpoints[1], configureChannelOptions: o => o.Credentials = Grpc.Core.ChannelCredentials.Insecure);
            var run = Task.Run(() => recipe(gateway, prefix));
            await EtcdGatewayCluster.WaitUntilAsync(async () =>
                run.IsCompleted || (await watcher.GetAsync(prefix + firstWrite, deadline: EtcdClients.Deadline())).Kvs.Count > 0, $"the recipe's first write {prefix}{firstWrite}");
            var killed = await fixture.KillLeaderSiloAsync();
            output.WriteLine($"killed the silo of leader {killed}; the recipe was {(run.IsCompleted ? "done" : "running")}");
            Assert.False(run.IsCompleted, "the recipe ended before the leader's silo was killed: give it more rounds");
            Assert.Equal(expected, await run.WaitAsync(TimeSpan.FromMinutes(2)));
        }
    }
}
