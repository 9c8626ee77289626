using Google.Protobuf;
using Grpc.Core;
using OrleansRaft.Etcd.Tests.Infrastructure;
using V3Electionpb;
using V3Lockpb;
using Xunit.Abstractions;

namespace OrleansRaft.Etcd.Tests;

/// <summary>dotnet-etcd's lock, election and compare-and-swap recipes end the same against the gateway as against etcd 3.4.</summary>
[Collection(EtcdGatewayCollection.Name)]
public sealed class DotnetEtcdRecipeTests(EtcdGatewayCluster fixture, RealEtcd etcd, ITestOutputHelper output) : IClassFixture<RealEtcd>
{
    [Fact]
    public async Task A_lock_serializes_its_holders_as_on_etcd() =>
        await SameOutcomeAsync((client, prefix) => DotnetEtcdRecipes.LockAsync(client, prefix, workers: 3, rounds: 3), "/recipes/net-lock/");

    [Fact]
    public async Task An_election_has_one_fenced_leader_at_a_time_as_on_etcd() =>
        await SameOutcomeAsync((client, prefix) => DotnetEtcdRecipes.ElectionAsync(client, prefix, candidates: 3, rounds: 2), "/recipes/net-elect/");

    [Fact]
    public async Task A_compare_and_swap_retry_loop_counts_every_increment_as_on_etcd() =>
        await SameOutcomeAsync((client, prefix) => DotnetEtcdRecipes.CompareAndSwapAsync(client, prefix, workers: 3, rounds: 10), "/recipes/net-cas/");

    [Fact]
    public async Task Lock_and_election_refusals_answer_with_etcds_codes_and_messages() =>
        await SameOutcomeAsync(async (client, prefix) =>
        {
            var name = ByteString.CopyFromUtf8(prefix + "e");
            var answers = new List<string>
            {
                await AnswerAsync(() => client.LeaderAsync(new LeaderRequest { Name = name }, deadline: EtcdClients.Deadline())),
                await AnswerAsync(() => client.ProclaimAsync(new ProclaimRequest { Value = ByteString.CopyFromUtf8("v") }, deadline: EtcdClients.Deadline())),
                await AnswerAsync(() => client.ResignAsync(new ResignRequest(), deadline: EtcdClients.Deadline())),
                await AnswerAsync(() => client.ProclaimAsync(
                    new ProclaimRequest { Leader = new LeaderKey { Name = name, Key = ByteString.CopyFromUtf8(prefix + "e/1"), Rev = 1 }, Value = ByteString.CopyFromUtf8("v") },
                    deadline: EtcdClients.Deadline())),
                await AnswerAsync(() => client.ResignAsync(new ResignRequest { Leader = new LeaderKey { Name = name, Key = ByteString.CopyFromUtf8(prefix + "e/1"), Rev = 1 } }, deadline: EtcdClients.Deadline())),
                await AnswerAsync(() => client.LockAsync(new LockRequest { Name = ByteString.CopyFromUtf8(prefix + "l"), Lease = 0x7777_7777 }, deadline: EtcdClients.Deadline())),
                await AnswerAsync(() => client.CampaignAsync(new CampaignRequest { Name = name, Lease = 0x7777_7777, Value = ByteString.CopyFromUtf8("v") }, deadline: EtcdClients.Deadline())),
                await AnswerAsync(() => client.UnlockAsync(new UnlockRequest { Key = ByteString.CopyFromUtf8(prefix + "l/none") }, deadline: EtcdClients.Deadline())),
            };
            return string.Join('\n', answers);
        }, "/recipes/net-refusals/");

    /// <summary>A call's status code and message, or "OK".</summary>
    private static async Task<string> AnswerAsync<T>(Func<Task<T>> call)
    {
        try
        {
            await call();
            return "OK";
        }
        catch (RpcException e)
        {
            return $"{e.StatusCode}: {e.Status.Detail}";
        }
    }

    private async Task SameOutcomeAsync(Func<dotnet_etcd.EtcdClient, string, Task<string>> recipe, string prefix)
    {
        using var reference = etcd.Connect();
        var expected = await recipe(reference, prefix);
        output.WriteLine($"etcd: {expected}");
        using var gateway = EtcdClients.Connect(fixture);
        var actual = await recipe(gateway, prefix);
        Assert.Equal(expected, actual);
    }
}
