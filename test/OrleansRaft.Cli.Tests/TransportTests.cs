using System.Net;
using System.Net.Sockets;
using OrleansRaft.Cli.Tests.Infrastructure;
using OrleansRaft.TestSupport;
using static OrleansRaft.Cli.Tests.Infrastructure.Expect;

namespace OrleansRaft.Cli.Tests;

/// <summary>
/// Which gateways a command goes through: <c>get</c> through the etcd gateways that cluster.json lists, unless
/// <c>--transport orleans</c> says otherwise or they give no plain answer; each case is told apart by closing the
/// other kind of gateway. (The whole suite runs over the etcd gateways with ORLEANSRAFT_CLI_TESTS_TRANSPORT=etcd.)
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class TransportTests(CliCluster cluster) : IDisposable
{
    private readonly string _dataDir = TestFolders.Create("cli");

    [Fact]
    public async Task Get_goes_through_the_etcd_gateways_past_a_closed_one_while_the_orleans_gateways_are_closed()
    {
        await cluster.PutAsync(("/transport/etcd", "via-etcd"));
        await CliCluster.WriteClusterFileAsync(_dataDir, ClosedEndpoints(2), [.. ClosedEndpoints(1), .. cluster.EtcdEndpoints]);

        Assert.Equal(["/transport/etcd", "via-etcd"], Ok(await GetAsync("/transport/etcd")).Lines);
        Assert.Equal(["via-etcd"], Ok(await GetAsync("/transport/etcd", "--transport", "etcd", "--consistency", "serializable", "--print-value-only")).Lines);
        Assert.Equal(["1"], Ok(await GetAsync("/transport/e", "--prefix", "--count-only")).Lines);
        Error(3, "Cannot reach the cluster", await CliProcess.RunAsync(["get", "/transport/etcd", "--data-dir", _dataDir, "--timeout", "2s", "--transport", "orleans"]));
    }

    [Fact]
    public async Task Without_an_answering_etcd_gateway_get_goes_through_the_orleans_gateways()
    {
        await cluster.PutAsync(("/transport/orleans", "via-orleans"));
        await CliCluster.WriteClusterFileAsync(_dataDir, cluster.Gateways, ClosedEndpoints(2));

        Assert.Equal(["/transport/orleans", "via-orleans"], Ok(await GetAsync("/transport/orleans", "--transport", "etcd")).Lines);
    }

    [Fact]
    public async Task An_error_of_the_etcd_gateways_is_told_as_the_orleans_client_tells_it()
    {
        await CliCluster.WriteClusterFileAsync(_dataDir, cluster.Gateways, cluster.EtcdEndpoints);

        Error(1, $"The key-value group 'nope' does not exist. Groups: {CliCluster.Group}. Choose one with --group.", await GetAsync("/k", "--group", "nope"));
        Error(1, "the store refused the request: FutureRevision", await GetAsync("/k", "--rev", "1000000"));
    }

    [Fact]
    public async Task Transport_etcd_without_etcd_gateways_for_the_named_cluster_is_a_usage_error()
    {
        await CliCluster.WriteClusterFileAsync(_dataDir, cluster.Gateways, cluster.EtcdEndpoints);

        var result = await CliProcess.RunAsync(["get", "/k", "--transport", "etcd", "--gateways", string.Join(',', cluster.Gateways), "--data-dir", _dataDir]);
        Error(2, "--transport etcd needs the etcd gateways of", result);
        Error(2, "Argument 'grpc' not recognized. Must be one of:", await GetAsync("/k", "--transport", "grpc"));
    }

    public void Dispose() => TestFolders.Delete(_dataDir);

    private Task<ProcessRun> GetAsync(string key, params string[] args) =>
        CliProcess.RunAsync(["get", key, "--data-dir", _dataDir, "--timeout", "30s", .. args]);

    /// <summary>Endpoints that nothing listens on: each port bound once by the OS's choice, then released.</summary>
    private static string[] ClosedEndpoints(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var endpoints = listeners.Select(l => $"127.0.0.1:{((IPEndPoint)l.LocalEndpoint).Port}").ToArray();
        listeners.ForEach(l => l.Stop());
        return endpoints;
    }
}
