using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Benchmarks.Storage;

/// <summary>
/// A silo whose ADO.NET grain storage runs on PostgreSQL: the server named by ORLEANSRAFT_POSTGRES, or else
/// a throwaway one of infra/postgres/local.sh (<see cref="TestPostgres"/>), removed when the benchmark exits.
/// </summary>
internal sealed class StorageSilo : IAsyncDisposable
{
    public const string Provider = "raft-postgres";

    private readonly IHost _host;

    private StorageSilo(IHost host, string connectionString)
    {
        _host = host;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public IGrainStorage Storage => _host.Services.GetRequiredKeyedService<IGrainStorage>(Provider);

    public static async Task<StorageSilo> Start()
    {
        var connectionString = TestPostgres.ConnectionString;

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort: FreePort(), gatewayPort: FreePort())
            .AddRaftPostgresStorage(Provider, connectionString));
        var host = builder.Build();
        await host.StartAsync();
        return new StorageSilo(host, connectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
