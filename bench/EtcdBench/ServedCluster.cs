using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansRaft.Abstractions;
using OrleansRaft.Etcd.Hosting;
using OrleansRaft.KeyValue.Hosting;
using OrleansRaft.Security;
using OrleansRaft.Testing;

namespace OrleansRaft.EtcdBench;

/// <summary>
/// Three in-process silos hosting one key-value group (logs in PostgreSQL through the batching provider, or in
/// memory shared by the silos) and the etcd gateway on a loopback port. The gateway calls grains through the first silo, as the service
/// host's gateway runs inside its silo.
/// </summary>
internal sealed class ServedCluster : IAsyncDisposable
{
    /// <summary>The admin token of the in-process silos, which create the served group themselves.</summary>
    private const string AdminToken = "etcd-bench-admin-token";

    private readonly InProcessTestCluster _cluster;
    private readonly WebApplication _gateway;
    private readonly string? _certificates;

    private ServedCluster(InProcessTestCluster cluster, WebApplication gateway, string endpoint, string? certificates)
    {
        _cluster = cluster;
        _gateway = gateway;
        Endpoint = endpoint;
        _certificates = certificates;
    }

    /// <summary>The gateway's <c>host:port</c>.</summary>
    public string Endpoint { get; }

    /// <param name="postgres">The connection string of the logs' PostgreSQL; null keeps them in memory.</param>
    /// <param name="port">The gateway's port; 0 lets the system choose.</param>
    /// <param name="tls">The gateway's certificate; null serves cleartext.</param>
    /// <param name="orleansTls">
    /// Run the Orleans links (silo to silo, which every gateway request to a member on another silo takes, and the test
    /// client's) over mutual TLS, with a throwaway authority made for the run; they run over the in-process cluster's
    /// in-memory transport, so this measures TLS's processing, not a network's.
    /// </param>
    public static async Task<ServedCluster> StartAsync(string? postgres, int port, EtcdTlsOptions? tls = null, bool orleansTls = false)
    {
        // In memory, one storage shared by the three silos: Orleans' memory storage dies with each silo.
        var memory = new RaftTestStorage();
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ConfigureFileLogging = false;
        var certificates = orleansTls ? Directory.CreateTempSubdirectory("etcd-bench-tls-").FullName : null;
        if (certificates is not null)
        {
            var (silo, client) = OrleansTls(certificates);
            builder.ConfigureSilo((_, s) => s.UseOrleansRaftTls(silo));
            builder.ConfigureClient(c => c.UseOrleansRaftTls(client));
        }

        builder.ConfigureSilo((_, silo) =>
        {
            if (postgres is not null)
            {
                silo.AddRaftPostgresBatchingStorage("raft", postgres);
            }
            else
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>("raft", memory);
            }

            silo.AddOrleansRaft(o =>
            {
                o.StorageProviderName = "raft";
                o.AdminToken = AdminToken;
            });
            silo.AddRaftKeyValueStore();
        });
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
            await WaitUntilAsync(() => Task.FromResult(cluster.Silos.All(silo =>
                silo.SiloHost.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values
                    .Count(m => m.Status == SiloStatus.Active) == cluster.Silos.Count)));
            var group = $"kv-{Guid.NewGuid():N}";
            await cluster.Client.GetGrain<IRaftGroupGrain>(group).CreateAsync(new RaftGroupSpec([1, 2, 3], KeyValueStore.StateMachineType), AdminToken);
            await WaitUntilAsync(async () => (await cluster.Client.GetGrain<IRaftGroupGrain>(group).GetStatusAsync()) is { Leader: not 0 });

            var web = WebApplication.CreateSlimBuilder();
            web.Logging.ClearProviders();
            web.Services.AddSingleton(cluster.Silos[0].SiloHost.Services.GetRequiredService<IGrainFactory>());
            web.Services.AddOrleansRaftEtcd(o =>
            {
                o.GroupId = group;
                o.Endpoint = new IPEndPoint(IPAddress.Loopback, port);
                o.Tls = tls;
            });
            var app = web.Build();
            app.MapOrleansRaftEtcd();
            await app.StartAsync();
            // The gateway's TCP endpoint; in cleartext it also listens on a Unix socket for the JSON gateway's HTTP/1.1.
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
                .Select(a => new Uri(a)).First(u => IPAddress.TryParse(u.Host.Trim('[', ']'), out _));
            return new ServedCluster(cluster, app, address.Authority, certificates);
        }
        catch
        {
            await cluster.DisposeAsync();
            DeleteCertificates(certificates);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
        await _cluster.DisposeAsync();
        DeleteCertificates(_certificates);
    }

    /// <summary>An authority, one certificate for every silo and one for the client, in <paramref name="folder"/>.</summary>
    private static (RaftTlsOptions Silo, RaftTlsOptions Client) OrleansTls(string folder)
    {
        var certificates = new ThrowawayCertificates(folder, TimeSpan.FromDays(1));
        var ca = certificates.NewAuthority("etcd-bench-ca", out var authority);
        using (authority)
        {
            var silo = certificates.NewSilo(authority, "etcd-bench-silo");
            var client = certificates.NewClient(authority, "etcd-bench-client");
            return (Options(silo, ca), Options(client, ca));
        }

        static RaftTlsOptions Options(PemFiles files, PemFiles ca)
        {
            var options = new RaftTlsOptions { CertificatePath = files.Certificate, KeyPath = files.Key };
            options.TrustedCaPaths.Add(ca.Certificate);
            return options;
        }
    }

    private static void DeleteCertificates(string? folder)
    {
        if (folder is not null && Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The in-process cluster did not come up within 60 s.");
            }

            await Task.Delay(50);
        }
    }
}
