using System.Text.Json;
using OrleansRaft.Host.Tests.Infrastructure;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Host.Tests;

/// <summary>
/// etcd's own command line (Debian's <c>etcd-client</c> package) against the etcd gateways of the launcher's silo
/// processes, found through the <c>etcdEndpoints</c> of <c>cluster.json</c>.
/// </summary>
[Collection(EtcdctlClusterCollection.Name)]
public sealed class EtcdctlOnLocalClusterTests(LocalClusterFixture cluster)
{
    private const string Etcdctl = "/usr/bin/etcdctl";

    /// <summary>Per etcdctl process: starting it is quick, but the machine may be busy.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Etcdctl_puts_gets_and_reads_endpoint_status_and_members_through_every_silos_gateway()
    {
        using var file = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(cluster.Launcher.DataDir, "cluster.json")));
        var endpoints = file.RootElement.GetProperty("etcdEndpoints").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(cluster.Launcher.Silos.Count, endpoints.Length);
        Assert.Equal(endpoints.Length, endpoints.Distinct().Count());
        Assert.All(endpoints, e => Assert.StartsWith("127.0.0.1:", e, StringComparison.Ordinal));
        var all = string.Join(",", endpoints);

        Assert.Equal(["OK"], await Run(all, "put", "/etcdctl/a", "b"));
        foreach (var endpoint in endpoints)
        {
            // Linearizable by default: every gateway sees the write once put answered.
            Assert.Equal(["/etcdctl/a", "b"], await Run(endpoint, "get", "/etcdctl/a"));
        }

        using var members = JsonDocument.Parse(string.Join('\n', await Run(endpoints[0], "member", "list", "-w", "json")));
        var memberIds = members.RootElement.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("ID").GetUInt64()).ToArray();
        Assert.Equal(3, memberIds.Length);
        Assert.Equal(3, memberIds.Distinct().Count());

        using var statuses = JsonDocument.Parse(string.Join('\n', await Run(all, "endpoint", "status", "-w", "json")));
        var rows = statuses.RootElement.EnumerateArray().ToArray();
        Assert.Equal(endpoints, rows.Select(r => r.GetProperty("Endpoint").GetString()!).ToArray());
        var leaders = rows.Select(r => r.GetProperty("Status").GetProperty("leader").GetUInt64()).Distinct().ToArray();
        var leader = Assert.Single(leaders);
        Assert.Contains(leader, memberIds);
        var clusterIds = rows.Select(r => r.GetProperty("Status").GetProperty("header").GetProperty("cluster_id").GetUInt64()).Distinct();
        Assert.Equal(members.RootElement.GetProperty("header").GetProperty("cluster_id").GetUInt64(), Assert.Single(clusterIds));
    }

    /// <summary>Runs etcdctl (API v3) to its end; returns its output lines, failing on a non-zero exit.</summary>
    private static async Task<string[]> Run(string endpoints, params string[] args)
    {
        var run = await ChildProcess.RunAsync(Etcdctl, [$"--endpoints={endpoints}", "--command-timeout=30s", .. args], new ChildProcessOptions
        {
            Bound = Bound,
            Environment = new Dictionary<string, string?> { ["ETCDCTL_API"] = "3" },
        });
        Assert.True(run.ExitCode == 0, $"etcdctl {string.Join(' ', args)} exited with {run.ExitCode}: {run.Stderr}{run.Stdout}");
        return run.Lines;
    }
}

/// <summary>A local cluster of its own, whose silos all stay up: the tests of <see cref="LocalClusterCollection"/> kill one.</summary>
[CollectionDefinition(Name)]
public sealed class EtcdctlClusterCollection : ICollectionFixture<LocalClusterFixture>
{
    public const string Name = "local cluster for etcdctl";
}
