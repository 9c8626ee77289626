using System.Text.RegularExpressions;
using OrleansRaft.Client;
using OrleansRaft.KeyValue;
using OrleansRaft.Host.Tests.Infrastructure;

namespace OrleansRaft.Host.Tests;

/// <summary>The local cluster as its user meets it: the files it writes, and a silo process killed under it.</summary>
[Collection(LocalClusterCollection.Name)]
public sealed class LocalClusterTests(LocalClusterFixture cluster)
{
    private static readonly KvCallOptions Patient = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public void The_cluster_file_names_every_gateway_and_status_page_the_launcher_printed()
    {
        var file = KvConnection.ReadClusterFile(cluster.Launcher.DataDir);

        Assert.Equal(3, cluster.Launcher.Silos.Count);
        Assert.Equal(cluster.Launcher.Silos.Select(s => $"127.0.0.1:{s.GatewayPort}"), file.Gateways);
        Assert.Equal(cluster.Launcher.Silos.Select(s => s.StatusUrl), file.StatusUrls);
        Assert.Equal("orleansraft", file.ClusterId);
        Assert.Equal("orleansraft", file.ServiceId);
        Assert.Equal("kv", file.Group);
        Assert.DoesNotContain("Password", File.ReadAllText(Path.Combine(cluster.Launcher.DataDir, "cluster.json")), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Data_written_before_a_kill_9_of_the_leaders_silo_is_read_after_it()
    {
        var kv = cluster.Connection.Kv;
        for (var i = 0; i < 20; i++)
        {
            await kv.PutAsync($"kill/{i:D2}", $"value-{i}", Patient);
        }

        var live = cluster.LiveSilos.ToArray();
        var before = await StatusReader.LeaderAsync(live[0].StatusUrl, "kv");
        var victim = live.Single(s => before.LeaderMember.Silo!.Contains($":{s.SiloPort}:", StringComparison.Ordinal));
        cluster.Killed.Add(victim.Number);
        Signal.Send(victim.Pid, "KILL");

        await cluster.Launcher.WaitForLineAsync(
            new Regex($@"silo {victim.Number} \(pid {victim.Pid}\) exited with code \d+; it is not restarted"), TimeSpan.FromSeconds(30));
        await kv.PutAsync("kill/after", "written with a silo down", Patient);

        var keys = await kv.GetPrefixAsync("kill/", Patient);
        Assert.Equal(
            [.. Enumerable.Range(0, 20).Select(i => $"kill/{i:D2}=value-{i}"), "kill/after=written with a silo down"],
            keys.Kvs.Select(e => $"{KvBytes.ToText(e.Key)}={KvBytes.ToText(e.Value)}"));
        var after = await StatusReader.LeaderAsync(cluster.LiveSilos.First().StatusUrl, "kv", g => g.Term > before.Term);
        Assert.DoesNotContain($":{victim.SiloPort}:", after.LeaderMember.Silo, StringComparison.Ordinal);
    }
}
