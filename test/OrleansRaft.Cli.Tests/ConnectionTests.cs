using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using OrleansRaft.Cli.Tests.Infrastructure;
using OrleansRaft.TestSupport;
using static OrleansRaft.Cli.Tests.Infrastructure.Expect;

namespace OrleansRaft.Cli.Tests;

/// <summary>Where the CLI finds the cluster (options, environment, cluster.json), and what it says when it cannot.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class ConnectionTests(CliCluster cluster)
{
    [Fact]
    public async Task Closed_gateways_are_named_in_the_error_within_the_timeout()
    {
        var closed = ClosedPorts(2).Select(p => $"127.0.0.1:{p}").ToArray();
        var clock = Stopwatch.StartNew();
        var result = Error(3, "Cannot reach the cluster 'orleansraft'", await CliProcess.RunAsync(["get", "/k", "--gateways", string.Join(',', closed), "--timeout", "2s"]));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.Contains($"no connection through the gateways {closed[0]}, {closed[1]} (from --gateways) within", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Is the cluster running?", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_gateways_or_cluster_json_the_error_says_how_to_point_at_a_cluster()
    {
        var empty = TestFolders.Create("cli");
        try
        {
            var result = Error(3, $"No cluster to connect to: there is no {Path.Combine(empty, ".orleansraft", "cluster.json")}", await CliProcess.RunAsync(["get", "/k"], workingDirectory: empty));
            Assert.Contains("pass --gateways HOST:PORT[,...], set ORLEANSRAFT_GATEWAYS", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            TestFolders.Delete(empty);
        }
    }

    [Fact]
    public async Task Cluster_json_in_the_data_dir_tells_the_gateways_ids_and_group()
    {
        var dataDir = TestFolders.Create("cli");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dataDir, "cluster.json"), JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["gateways"] = cluster.Gateways,
                ["statusUrls"] = new[] { "http://127.0.0.1:1/" },
                ["clusterId"] = CliCluster.ClusterId,
                ["serviceId"] = CliCluster.ServiceId,
                ["group"] = CliCluster.Group,
            }));
            Ok(await CliProcess.RunAsync(["put", "/file/k", "from-file", "--data-dir", dataDir, "--timeout", "30s"]));

            // The default data dir is .orleansraft under the current folder.
            var parent = Directory.CreateDirectory(Path.Combine(dataDir, "work")).FullName;
            Directory.Move(Path.Combine(dataDir, "cluster.json"), Directory.CreateDirectory(Path.Combine(parent, ".orleansraft")).FullName + "/cluster.json");
            Assert.Equal(["/file/k", "from-file"], Ok(await CliProcess.RunAsync(["get", "/file/k", "--timeout", "30s"], workingDirectory: parent)).Lines);
        }
        finally
        {
            TestFolders.Delete(dataDir);
        }
    }

    [Fact]
    public async Task The_environment_variable_names_the_gateways()
    {
        var environment = new Dictionary<string, string> { ["ORLEANSRAFT_GATEWAYS"] = string.Join(',', cluster.Gateways) };
        Ok(await CliProcess.RunAsync(["put", "/env/k", "v", "--cluster-id", CliCluster.ClusterId, "--service-id", CliCluster.ServiceId, "--timeout", "30s"], environment: environment));
        Assert.Equal(["/env/k", "v"], Ok(await cluster.RunAsync("get", "/env/k")).Lines);
    }

    [Fact]
    public async Task A_wrong_cluster_id_is_reported_as_unreachable()
    {
        var result = await CliProcess.RunAsync(["get", "/k", "--gateways", string.Join(',', cluster.Gateways), "--cluster-id", "another", "--service-id", CliCluster.ServiceId, "--timeout", "2s"]);
        Error(3, "Cannot reach the cluster 'another'", result);
    }

    /// <summary>Ports that nothing listens on: each bound once by the OS's choice, then released.</summary>
    private static int[] ClosedPorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}
