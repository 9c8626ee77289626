using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using OrleansRaft.Etcd.Hosting;
using OrleansRaft.Host.Status;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.KeyValue.Hosting;
using OrleansRaft.Security;

namespace OrleansRaft.Host.Silo;

/// <summary>
/// One silo on the .NET Generic Host: Orleans with Raft groups and the key-value store, logs and group records on
/// PostgreSQL, the groups of <c>Groups</c> created at start, and on the same host's Kestrel the status page (HTTP)
/// and the etcd v3 gateway (HTTP/2 cleartext, its own port).
/// </summary>
internal static class SiloHost
{
    /// <summary>The storage provider of group records, the directory and members' silo bindings when the logs live apart.</summary>
    public const string GroupStorageName = "raft-groups";

    public static async Task<int> RunAsync(string[] args, string connectionString)
    {
        WebApplication app;
        string? raftLog;
        try
        {
            app = Build(args, connectionString, out raftLog);
        }
        catch (RaftTlsException e)
        {
            // The message names files and certificates, never a password.
            Console.Error.WriteLine($"The silo does not start: {e.Message}");
            return 2;
        }

        if (app.Services.GetService<RaftTlsCredentials>() is { } tls)
        {
            app.Logger.LogInformation(
                "Orleans links use mutual TLS: certificate {Certificate}; peers must chain to {Authorities}.",
                RaftCertificates.Describe(tls.Certificate), string.Join(", ", tls.Authorities.Select(a => $"'{a.Subject}'")));
        }
        else
        {
            app.Logger.LogWarning("Orleans links are cleartext: no {Section} section is configured.", HostConfiguration.OrleansTlsSection);
        }

        // Applied before the silo starts: the AdoNet clustering and storage providers read their tables and queries
        // as they initialize. Idempotent, and serialized among silos by an advisory lock.
        await PostgresSchema.ApplyAsync(connectionString);
        if (raftLog is not null)
        {
            await PostgresSchema.ApplyAsync(raftLog);
        }

        await app.RunAsync();
        return 0;
    }

    private static WebApplication Build(string[] args, string connectionString, out string? raftLog)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddHostSources(args);
        var configuration = builder.Configuration;
        var cluster = configuration.GetSection("Cluster").Get<ClusterSettings>() ?? new ClusterSettings();
        var silo = configuration.GetSection("Silo").Get<SiloSettings>() ?? new SiloSettings();
        var status = configuration.GetSection("Status").Get<StatusSettings>() ?? new StatusSettings();
        var metrics = configuration.GetSection("Metrics").Get<MetricsSettings>() ?? new MetricsSettings();
        var etcd = configuration.GetSection("Etcd").Get<EtcdSettings>() ?? new EtcdSettings();
        var storage = configuration.GetSection("Storage").Get<StorageSettings>() ?? new StorageSettings();
        var groups = configuration.GetSection("Groups").Get<GroupSettings[]>() ?? [];
        var raft = new OrleansRaftOptions();
        configuration.GetSection("Raft").Bind(raft);
        var logs = HostConfiguration.RaftLogConnectionString(configuration, connectionString);
        raftLog = logs;

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });

        builder.UseOrleans(orleans =>
        {
            orleans.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            if (!string.IsNullOrWhiteSpace(silo.Name))
            {
                orleans.Configure<SiloOptions>(o => o.SiloName = silo.Name);
            }

            if (cluster.Clustering == ClusteringKind.Localhost)
            {
                orleans.UseLocalhostClustering(silo.Port, silo.GatewayPort, null, cluster.ServiceId, cluster.ClusterId);
            }
            else
            {
                orleans.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = PostgresConnectionTuning.Apply(connectionString);
                });
                orleans.ConfigureEndpoints(IPAddress.Parse(silo.Address), silo.Port, silo.GatewayPort, listenOnAnyHostAddress: false);
            }

            if (configuration.GetSection(HostConfiguration.OrleansTlsSection) is { } tlsSection && tlsSection.Exists())
            {
                var tls = new RaftTlsOptions();
                tlsSection.Bind(tls);
                orleans.UseOrleansRaftTls(tls);
            }

            AddStorage(orleans, storage.Provider, raft.StorageProviderName, logs ?? connectionString);
            if (logs is not null)
            {
                // The logs are this silo's own; what every silo reads stays in the shared database.
                AddStorage(orleans, storage.Provider, GroupStorageName, connectionString);
            }

            orleans.AddOrleansRaft(o =>
            {
                configuration.GetSection("Raft").Bind(o);
                if (logs is not null)
                {
                    // A member's log is in one silo's database only: the member may run on that silo alone.
                    o.GroupStorageProviderName = GroupStorageName;
                    o.BindMembersToSilos = true;
                }

                if (etcd.Enabled && etcd.ClientUrls() is { Length: > 0 } urls)
                {
                    // Members report them, so that every gateway's member list names the gateway on each member's silo.
                    o.AdvertisedEndpoints[EtcdGatewayOptions.AdvertisedEndpointName] = urls;
                }
            });
            orleans.AddRaftKeyValueStore();
            // Users' tokens: KvAuth:TokenKey (else Raft:AdminToken), KvAuth:TokenTtl, KvAuth:AdminGroup; the same on every silo.
            orleans.ConfigureRaftKeyValueAuth(o => configuration.GetSection("KvAuth").Bind(o));
            orleans.ConfigureRaftGroupStartup(o =>
            {
                o.ExpectedSilos = cluster.ExpectedSilos;
                o.ExpectedSilosTimeout = cluster.ExpectedSilosTimeout;
            });
            foreach (var group in groups)
            {
                orleans.AddRaftGroup(group.Id, group.Members, KeyValueStore.StateMachineType);
            }
        });

        builder.Services.AddSingleton(cluster);
        if (silo.Supervised)
        {
            builder.Services.AddHostedService<StandardInputWatch>();
        }

        HostMetrics.Add(builder.Services, metrics);
        if (etcd.Enabled)
        {
            // Kestrel's endpoints are all set here: endpoints configured in code replace its URL settings.
            builder.Services.AddOrleansRaftEtcd(o =>
            {
                o.GroupId = string.IsNullOrWhiteSpace(etcd.Group) ? groups is [var first, ..] ? first.Id : "kv" : etcd.Group;
                o.Endpoint = null;
                foreach (var url in etcd.ClientUrls())
                {
                    o.AdvertisedClientUrls.Add(url);
                }

                o.AllowedGroups.UnionWith(etcd.AllowedGroups);
                if (etcd.RequestTimeout is { } requestTimeout)
                {
                    o.Client = o.Client with { RequestTimeout = requestTimeout, AttemptTimeout = requestTimeout < o.Client.AttemptTimeout ? requestTimeout : o.Client.AttemptTimeout };
                }

                o.TokenTtl = etcd.TokenTtl;
                o.PasswordHashIterations = etcd.PasswordHashIterations;
                o.Tls = etcd.Tls?.ToOptions();
            });
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                Listen(kestrel, status.Address, status.Port, HttpProtocols.Http1AndHttp2);
                Listen(kestrel, etcd.Address, etcd.Port, etcd.Tls?.ToOptions() is { } tls
                    // With TLS, ALPN chooses HTTP/2 (gRPC) or HTTP/1.1 (etcd's JSON gateway) on the one etcd port; in
                    // cleartext the gateway tells them apart by the HTTP/2 preface.
                    ? l => { l.Protocols = HttpProtocols.Http1AndHttp2; l.UseOrleansRaftEtcdTls(tls); }
                    : l => l.UseOrleansRaftEtcdProtocols());
            });
        }
        else
        {
            builder.WebHost.UseUrls($"http://{FormatHost(status.Address)}:{status.Port}");
        }

        var app = builder.Build();
        StatusEndpoints.Map(app, silo.Name);
        HostMetrics.Map(app, metrics);
        if (etcd.Enabled)
        {
            app.MapOrleansRaftEtcd();
        }

        return app;
    }

    private static void AddStorage(ISiloBuilder orleans, StorageProviderKind kind, string name, string connectionString)
    {
        if (kind == StorageProviderKind.AdoNet)
        {
            orleans.AddRaftPostgresStorage(name, connectionString, applySchema: false);
        }
        else
        {
            orleans.AddRaftPostgresBatchingStorage(name, connectionString, applySchema: false);
        }
    }

    /// <summary>An address as the status page's URL accepts it: an IP address, <c>localhost</c>, or <c>*</c> / <c>+</c> / <c>0.0.0.0</c> for every address.</summary>
    private static void Listen(KestrelServerOptions kestrel, string address, int port, HttpProtocols protocols) =>
        Listen(kestrel, address, port, l => l.Protocols = protocols);

    private static void Listen(KestrelServerOptions kestrel, string address, int port, Action<ListenOptions> configure)
    {
        if (address is "*" or "+")
        {
            kestrel.ListenAnyIP(port, configure);
        }
        else if (string.Equals(address, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(port, configure);
        }
        else if (IPAddress.TryParse(address, out var ip))
        {
            kestrel.Listen(ip, port, configure);
        }
        else
        {
            throw new InvalidOperationException($"'{address}' (port {port}) is neither an IP address, localhost nor '*'.");
        }
    }

    private static string FormatHost(string address) =>
        IPAddress.TryParse(address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address;
}
