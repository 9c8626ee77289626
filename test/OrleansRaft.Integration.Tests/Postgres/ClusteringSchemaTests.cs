using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using OrleansRaft.Integration.Tests.Infrastructure;

namespace OrleansRaft.Integration.Tests.Postgres;

/// <summary>The clustering part of the schema, driven by Orleans' own ADO.NET membership provider.</summary>
[Collection(StorageCollection.Name)]
public sealed class ClusteringSchemaTests(StorageCluster cluster)
{
    [Fact]
    public async Task Two_silos_form_a_cluster_through_the_membership_tables_and_a_client_finds_their_gateways()
    {
        var clusterId = $"raft-tests-{Guid.NewGuid():N}";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var first = await StartSilo(clusterId, timeout.Token);
        var second = await StartSilo(clusterId, timeout.Token);
        try
        {
            await WaitForActiveSilos(first, 2, timeout.Token);
            await WaitForActiveSilos(second, 2, timeout.Token);

            var client = Host.CreateApplicationBuilder();
            client.Logging.ClearProviders();
            client.UseOrleansClient(c => c
                .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, "raft-tests"))
                .UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", cluster.PostgresConnectionString)));
            using var clientHost = client.Build();
            await clientHost.StartAsync(timeout.Token);
            var hosts = await clientHost.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            await clientHost.StopAsync(timeout.Token);

            Assert.Equal(2, hosts.Count);
            Assert.All(hosts.Values, status => Assert.Equal(SiloStatus.Active, status));

            await second.StopAsync(timeout.Token);
            await WaitForActiveSilos(first, 1, timeout.Token);
        }
        finally
        {
            await first.StopAsync(CancellationToken.None);
            first.Dispose();
            second.Dispose();
        }
    }

    private async Task<IHost> StartSilo(string clusterId, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        var (siloPort, gatewayPort) = (FreePort(), FreePort());
        builder.UseOrleans(silo => silo
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, "raft-tests"))
            .UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", cluster.PostgresConnectionString))
            .ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort));
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    private static async Task WaitForActiveSilos(IHost silo, int count, CancellationToken cancellationToken)
    {
        var membership = silo.Services.GetRequiredService<IClusterMembershipService>();
        await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(cancellationToken))
        {
            if (snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active) == count)
            {
                return;
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
