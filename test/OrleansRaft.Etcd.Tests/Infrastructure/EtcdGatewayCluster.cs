using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.TestingHost;
using OrleansRaft.Abstractions;
using OrleansRaft.Etcd.Hosting;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.KeyValue;
using OrleansRaft.KeyValue.Hosting;
using OrleansRaft.Testing;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Etcd.Tests.Infrastructure;

/// <summary>
/// Three in-process silos that host the key-value group "kv" on memory storage, and the etcd gateway on a free
/// loopback port, served by Kestrel in the test process through the cluster's client (<see cref="Endpoint"/>: a
/// gateway outside the silos). Beside it, one gateway per silo (<see cref="SiloEndpoints"/>), each as a host runs it in
/// its silo: with the silo's grain factory and local silo details, and its URL advertised by the silo's members. Every
/// wait is on a condition, bounded by <see cref="Bound"/>.
/// </summary>
public class EtcdGatewayCluster : IAsyncLifetime
{
    public const string GroupId = "kv";

    /// <summary>The admin token of every silo: creating the group needs it.</summary>
    public const string AdminToken = "etcd-tests-admin-token";

    /// <summary>
    /// The store answers at most this many keys or events per page, so that tests exercise the gateway's paging of
    /// ranges and watches with a few hundred keys.
    /// </summary>
    public const int PageSize = 100;

    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, int> _siloGatewayPorts = new(StringComparer.Ordinal);
    private readonly List<WebApplication> _siloGateways = [];
    private readonly short _silos;
    private readonly bool _postgres;
    private InProcessTestCluster? _cluster;
    private WebApplication? _app;

    public EtcdGatewayCluster()
        : this(silos: 3, postgres: false)
    {
    }

    /// <summary>
    /// <paramref name="silos"/> silos; with <paramref name="postgres"/>, the members keep their logs on the test
    /// process's PostgreSQL server (the batching provider, as a production silo), so that a killed silo loses nothing.
    /// Without it they share one in-process store, which outlives any one silo.
    /// </summary>
    protected EtcdGatewayCluster(short silos, bool postgres)
    {
        _silos = silos;
        _postgres = postgres;
    }

    /// <summary>The gateway of each silo, <c>127.0.0.1:port</c>, in the order of <c>Cluster.Silos</c>.</summary>
    public IReadOnlyList<string> SiloEndpoints { get; private set; } = [];

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster has not started.");

    /// <summary>The gateway's URL, <c>http://127.0.0.1:port</c>.</summary>
    public string Endpoint { get; private set; } = "";

    public EtcdGateway Gateway => _app?.Services.GetRequiredService<EtcdGateway>() ?? throw new InvalidOperationException("The gateway has not started.");

    public virtual async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(_silos);
        builder.Options.ConfigureFileLogging = false;
        if (_postgres)
        {
            // Rows are keyed by service id: a fresh one keeps this cluster's groups apart from other clusters' on the server.
            builder.Options.ServiceId = $"etcd-tests-{Guid.NewGuid():N}";
            var connectionString = TestPostgres.ConnectionString;
            builder.ConfigureSilo((_, silo) => silo
                .AddRaftPostgresBatchingStorage("raft", connectionString)
                .AddOrleansRaft(o => o.AdminToken = AdminToken));
        }
        else
        {
            builder.AddOrleansRaft(o => o.AdminToken = AdminToken);
        }

        builder.ConfigureSilo((_, silo) => silo.AddRaftKeyValueStore(KvLimits.Default with { MaxResultCount = PageSize }));
        builder.ConfigureSilo((options, silo) =>
        {
            // Each silo's own gateway, which its members report in their status for member list.
            var gatewayPort = _siloGatewayPorts.GetOrAdd(options.SiloName, _ => FreePort());
            silo.Services.Configure<OrleansRaftOptions>(o => o.AdvertisedEndpoints[EtcdGatewayOptions.AdvertisedEndpointName] = [$"http://127.0.0.1:{gatewayPort}"]);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        await _cluster.WaitForMembershipAsync(Bound);
        await CreateGroupAsync(GroupId);

        (_app, Endpoint) = await StartGatewayAsync(_ => { });
        var endpoints = new List<string>();
        foreach (var silo in _cluster.Silos)
        {
            var services = silo.SiloHost.Services;
            var port = _siloGatewayPorts[silo.Name];
            var (app, endpoint) = await StartGatewayAsync(
                o =>
                {
                    o.Endpoint = new IPEndPoint(IPAddress.Loopback, port);
                    o.AdvertisedClientUrls.Add($"http://127.0.0.1:{port}");
                },
                web =>
                {
                    web.AddSingleton(services.GetRequiredService<IGrainFactory>());
                    web.AddSingleton(services.GetRequiredService<ILocalSiloDetails>());
                });
            _siloGateways.Add(app);
            endpoints.Add(new Uri(endpoint).Authority);
        }

        SiloEndpoints = endpoints;
    }

    /// <summary>
    /// Creates the key-value group <paramref name="groupId"/> (idempotent) with members 1, 2 and 3, and waits until
    /// it has a leader.
    /// </summary>
    public async Task CreateGroupAsync(string groupId)
    {
        await Cluster.Client.GetGrain<IRaftGroupGrain>(groupId).CreateAsync(new RaftGroupSpec([1, 2, 3], KeyValueStore.StateMachineType), AdminToken);
        await WaitUntilAsync(async () => (await Cluster.Client.GetGrain<IRaftGroupGrain>(groupId).GetStatusAsync()) is { Leader: not 0 }, $"a leader of group {groupId}");
    }

    /// <summary>
    /// Another gateway on the cluster, on a free loopback port, with the fixture's settings changed by
    /// <paramref name="configure"/> and the services <paramref name="services"/> adds; the caller stops and disposes it.
    /// </summary>
    public async Task<(WebApplication App, string Endpoint)> StartGatewayAsync(Action<EtcdGatewayOptions> configure, Action<IServiceCollection>? services = null)
    {
        var web = WebApplication.CreateSlimBuilder();
        web.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("ETCD_TESTS_LOG") is { } level)
        {
            web.Logging.AddConsole().SetMinimumLevel(Enum.Parse<LogLevel>(level));
        }
        web.Services.AddSingleton<IGrainFactory>(Cluster.Client);
        // The silos' token key: the gateway vouches for its users with tokens the silos verify (as in a silo's host).
        web.Services.AddSingleton(Cluster.Silos[0].SiloHost.Services.GetRequiredService<KvTokenSigner>());
        services?.Invoke(web.Services);
        web.Services.AddOrleansRaftEtcd(o =>
        {
            o.GroupId = GroupId;
            o.Endpoint = new IPEndPoint(IPAddress.Loopback, 0);
            o.ClusterName = "etcd-tests";
            configure(o);
        });
        var app = web.Build();
        app.MapOrleansRaftEtcd();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Single(a => !a.StartsWith("http://unix:", StringComparison.Ordinal));   // not the JSON gateway's socket behind the port
        return (app, address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>Waits until every silo sees exactly the live silos as active, so that placement offers no killed silo.</summary>
    public Task WaitForAllActiveAsync() =>
        WaitUntilAsync(() =>
        {
            var silos = Cluster.Silos.ToList();
            return Task.FromResult(silos.All(silo =>
                silo.SiloHost.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values
                    .Count(m => m.Status == SiloStatus.Active) == silos.Count));
        }, "every silo to see every other as active");

    /// <summary>
    /// The status of <paramref name="groupId"/> (default: the fixture's group), with a leader that a quorum follows.
    /// A call that fails because a silo was killed (the client's gateway to it, a grain on it) is asked again.
    /// </summary>
    public async Task<RaftGroupStatus> LeaderStatusAsync(string groupId = GroupId)
    {
        RaftGroupStatus? found = null;
        await WaitUntilAsync(async () =>
        {
            try
            {
                found = await Cluster.Client.GetGrain<IRaftGroupGrain>(groupId).GetStatusAsync();
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                return false;
            }

            return found is { Leader: not 0 } && found.Members.Count(m => m.Status?.Leader == found.Leader && m.Status.Term == found.Term) >= 2;
        }, "a leader that a quorum follows");
        return found!;
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var gateway in _siloGateways)
        {
            await gateway.StopAsync();
            await gateway.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>A loopback port that was free a moment ago (for settings that must name a port before it is bound).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds; fails after <see cref="Bound"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > Bound)
            {
                throw new TimeoutException($"Waited {Bound} for {what}.");
            }

            await Task.Delay(20);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class EtcdGatewayCollection : ICollectionFixture<EtcdGatewayCluster>
{
    public const string Name = "etcd gateway on a 3-silo cluster";
}
