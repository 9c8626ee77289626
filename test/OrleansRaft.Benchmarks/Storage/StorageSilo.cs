using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using OrleansRaft.Hosting.Storage;

namespace OrleansRaft.Benchmarks.Storage;

/// <summary>
/// A silo whose ADO.NET grain storage runs on PostgreSQL: the server named by ORLEANSRAFT_POSTGRES, or else
/// the throwaway one of infra/postgres/local.sh (started if needed, and left running for the next run).
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
        var connectionString = Environment.GetEnvironmentVariable("ORLEANSRAFT_POSTGRES");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = StartLocalPostgres();
        }

        var builder = Host.CreateApplicationBuilder();
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

    private static string StartLocalPostgres()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "OrleansRaft.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new InvalidOperationException("No OrleansRaft.sln above the benchmark.");
        }

        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(root, "infra", "postgres", "local.sh"));
        info.ArgumentList.Add("start");
        using var process = Process.Start(info) ?? throw new InvalidOperationException("bash could not be started.");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (process.ExitCode != 0 || lines.Length == 0)
        {
            throw new InvalidOperationException($"infra/postgres/local.sh start failed (exit {process.ExitCode}); set ORLEANSRAFT_POSTGRES to use another server.");
        }

        return lines[^1];
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
