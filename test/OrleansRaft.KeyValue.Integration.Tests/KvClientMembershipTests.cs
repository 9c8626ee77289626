using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>
/// A client keeps up with membership changes made after it connected: it follows a leader that joined since, and a
/// member that was removed sends it to the members the group has now instead of failing its request.
/// </summary>
[Collection(SharedKvClusterCollection.Name)]
public sealed class KvClientMembershipTests(SharedKvCluster shared)
{
    private static readonly KvCallOptions Patient = new() { Timeout = TimeSpan.FromSeconds(30) };

    private KvCluster Kv => shared.Cluster;

    [Fact]
    public async Task A_client_serves_puts_and_reads_after_every_member_it_connected_to_was_replaced()
    {
        const string group = "kv-replaced";
        var members = await Kv.CreateGroupAsync(group);
        await using var client = await Kv.ConnectAsync(group);
        await client.PutAsync("/replaced/before", "1", Patient);
        Assert.Equal(members, client.Members.Order());

        var admin = Kv.Client.GetGrain<IRaftGroupGrain>(group);
        ulong[] replacements = [11, 12, 13];
        foreach (var (old, replacement) in members.Zip(replacements))
        {
            await admin.ReplaceMemberAsync(old, replacement, KvCluster.AdminToken);
        }

        await client.PutAsync("/replaced/after", "2", Patient);
        var read = await client.GetPrefixAsync("/replaced/", new KvCallOptions { Timeout = Patient.Timeout, Consistency = ReadConsistency.Linearizable });
        Assert.Equal(["/replaced/after=2", "/replaced/before=1"], read.Kvs.Select(e => $"{KvBytes.ToText(e.Key)}={KvBytes.ToText(e.Value)}"));
        Assert.Contains(client.Leader, replacements);
        Assert.All(members, m => Assert.DoesNotContain(m, client.Members));
    }
}
