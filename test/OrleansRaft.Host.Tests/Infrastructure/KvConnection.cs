using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using OrleansRaft.Client;

namespace OrleansRaft.Host.Tests.Infrastructure;

/// <summary>
/// An Orleans client of the local cluster, set up from <c>{data-dir}/cluster.json</c> as the CLI sets itself up: static
/// gateways, the cluster and service ids, and the group to use.
/// </summary>
internal sealed class KvConnection : IAsyncDisposable
{
    private readonly IHost _host;

    private KvConnection(IHost host, ClusterJson cluster, KvClient kv)
    {
        _host = host;
        Cluster = cluster;
        Kv = kv;
    }

    public ClusterJson Cluster { get; }

    public KvClient Kv { get; }

    public IClusterClient Orleans => _host.Services.GetRequiredService<IClusterClient>();

    public static ClusterJson ReadClusterFile(string dataDir) =>
        JsonSerializer.Deserialize<ClusterJson>(File.ReadAllText(Path.Combine(dataDir, "cluster.json")))
        ?? throw new InvalidOperationException("cluster.json is empty.");

    public static Task<KvConnection> ConnectAsync(string dataDir) => ConnectAsync(ReadClusterFile(dataDir));

    /// <summary>
    /// Connects to <paramref name="cluster"/>'s gateways. With <paramref name="members"/> the key-value client asks no
    /// grain for the group's members, so that it can start while the group's admin grain is unreachable.
    /// </summary>
    public static async Task<KvConnection> ConnectAsync(ClusterJson cluster, IReadOnlyList<ulong>? members = null)
    {
        var gateways = cluster.Gateways.Select(g => IPEndPoint.Parse(g)).ToArray();
        var host = Microsoft.Extensions.Hosting.Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
            .UseOrleansClient(client => client
                .UseStaticClustering(gateways)
                .Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = cluster.ClusterId;
                    o.ServiceId = cluster.ServiceId;
                }))
            .Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IClusterClient>();
        var kv = members is null ? await KvClient.ConnectAsync(grains, cluster.Group) : new KvClient(grains, cluster.Group, members);
        return new KvConnection(host, cluster, kv);
    }

    public async ValueTask DisposeAsync()
    {
        await Kv.DisposeAsync();
        await _host.StopAsync(TimeSpan.FromSeconds(5));
        _host.Dispose();
    }
}

/// <summary>The names of cluster.json, a contract with the CLI.</summary>
internal sealed record ClusterJson(
    [property: System.Text.Json.Serialization.JsonPropertyName("gateways")] string[] Gateways,
    [property: System.Text.Json.Serialization.JsonPropertyName("statusUrls")] string[] StatusUrls,
    [property: System.Text.Json.Serialization.JsonPropertyName("clusterId")] string ClusterId,
    [property: System.Text.Json.Serialization.JsonPropertyName("serviceId")] string ServiceId,
    [property: System.Text.Json.Serialization.JsonPropertyName("group")] string Group,
    [property: System.Text.Json.Serialization.JsonPropertyName("etcdEndpoints")] string[]? EtcdEndpoints = null);
