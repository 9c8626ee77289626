using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.Etcd.Hosting;
using OrleansRaft.KeyValue.Hosting;
using OrleansRaft.Testing;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Cli.Tests.Infrastructure;

/// <summary>
/// Three Orleans silos in the test process, each its own host listening on real TCP ports (silo and gateway), over
/// development clustering (the first silo keeps the membership table) and one <see cref="RaftTestStorage"/>. They
/// host one 3-member key-value group named <see cref="Group"/>. The CLI reaches them through the gateways' ports, as
/// it reaches any cluster. Each silo also serves the etcd gateway, as the local cluster's silos do, and
/// <see cref="DataDir"/> holds a <c>cluster.json</c> that lists both kinds of gateway, as the launcher's does.
/// <para>
/// <see cref="Connection"/> names the Orleans gateways (<c>--gateways</c>), so every command goes through the Orleans
/// client; with <c>ORLEANSRAFT_CLI_TESTS_TRANSPORT=etcd</c> it names <see cref="DataDir"/> and <c>--transport etcd</c>
/// instead, so that the same tests run the commands that have an etcd form through the etcd gateways.
/// </para>
/// </summary>
public sealed class CliCluster : IAsyncLifetime
{
    public const string Group = "kv";
    public const string ClusterId = "cli-tests";
    public const string ServiceId = "cli-tests-service";
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    public static readonly ulong[] Members = [1, 2, 3];

    /// <summary>The admin token of every silo: a value for these tests alone.</summary>
    public const string AdminToken = "cli-tests-admin-token";

    /// <summary>The environment variable that runs the tests' commands through the etcd gateways.</summary>
    public const string TransportVariable = "ORLEANSRAFT_CLI_TESTS_TRANSPORT";

    private const string StorageName = "raft";
    private readonly RaftTestStorage _storage = new();
    private readonly List<Silo> _silos = [];

    /// <summary>Every silo's gateway as HOST:PORT, killed ones included.</summary>
    public IReadOnlyList<string> Gateways => [.. _silos.Select(s => $"127.0.0.1:{s.GatewayPort}")];

    /// <summary>Every silo's etcd gateway as HOST:PORT, killed ones included.</summary>
    public IReadOnlyList<string> EtcdEndpoints => [.. _silos.Select(s => $"127.0.0.1:{s.EtcdPort}")];

    /// <summary>A data folder whose cluster.json lists this cluster's Orleans and etcd gateways, ids and group.</summary>
    public string DataDir { get; } = TestFolders.Create("cli-cluster");

    /// <summary>Grain calls from the test, through the first silo, which is never killed (it keeps the membership table).</summary>
    public IGrainFactory Grains => _silos[0].Host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>
    /// The options that point the CLI at this cluster. The timeout is generous: the machine that runs the tests may be
    /// busy, and a slow answer is not what these tests are about.
    /// </summary>
    public string[] Connection => Environment.GetEnvironmentVariable(TransportVariable) == "etcd"
        ? ["--data-dir", DataDir, "--transport", "etcd", "--timeout", "30s"]
        : OrleansConnection;

    /// <summary>The options that point the CLI at this cluster's Orleans gateways, whatever the transport variable says.</summary>
    public string[] OrleansConnection => ["--gateways", string.Join(',', Gateways), "--cluster-id", ClusterId, "--service-id", ServiceId, "--timeout", "30s"];

    /// <summary>
    /// <see cref="Connection"/> for a command line <paramref name="args"/>; one that names a data folder of its own
    /// (to test where the admin token comes from) gets <see cref="OrleansConnection"/>, as a second --data-dir is bad usage.
    /// </summary>
    public string[] ConnectionFor(IEnumerable<string> args) => args.Contains("--data-dir") ? OrleansConnection : Connection;

    /// <summary>Writes <paramref name="dataDir"/>/cluster.json as the launcher would, with the gateways given.</summary>
    public static Task WriteClusterFileAsync(string dataDir, IEnumerable<string> gateways, IEnumerable<string> etcdEndpoints) =>
        File.WriteAllTextAsync(Path.Combine(dataDir, "cluster.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["gateways"] = gateways.ToArray(),
            ["statusUrls"] = new[] { "http://127.0.0.1:1/" },
            ["clusterId"] = ClusterId,
            ["serviceId"] = ServiceId,
            ["group"] = Group,
            ["etcdEndpoints"] = etcdEndpoints.ToArray(),
        }));

    public async Task InitializeAsync()
    {
        var ports = FreePorts(9);
        var primary = new IPEndPoint(IPAddress.Loopback, ports[0]);
        for (var i = 0; i < 3; i++)
        {
            var host = StartSilo(ports[3 * i], ports[(3 * i) + 1], primary);
            await host.StartAsync();
            var etcd = StartEtcdGateway(host, ports[(3 * i) + 2]);
            await etcd.StartAsync();
            _silos.Add(new Silo(host, ports[(3 * i) + 1], etcd, ports[(3 * i) + 2]));
        }

        await WriteClusterFileAsync(DataDir, Gateways, EtcdEndpoints);

        await WaitUntilAsync(() => Task.FromResult(AllActive()), "every silo to see every other as active");
        await Grains.GetGrain<IRaftGroupGrain>(Group).CreateAsync(new RaftGroupSpec(Members, KeyValueStore.StateMachineType), AdminToken);
        await WaitForLeaderAsync();
    }

    /// <summary>Runs the CLI against this cluster (its connection options after <paramref name="args"/>).</summary>
    public Task<ProcessRun> RunAsync(params string[] args) => CliProcess.RunAsync([.. args, .. ConnectionFor(args)]);

    /// <summary>Runs the CLI with <paramref name="stdin"/> as its standard input.</summary>
    public Task<ProcessRun> RunWithInputAsync(byte[] stdin, params string[] args) => CliProcess.RunAsync([.. args, .. ConnectionFor(args)], stdin);

    public ChildProcess Start(params string[] args) => CliProcess.Start([.. args, .. ConnectionFor(args)]);

    /// <summary>Writes test data straight through a <see cref="KvClient"/>, cheaper than a CLI process per key.</summary>
    public async Task PutAsync(params (string Key, string Value)[] kvs)
    {
        await using var kv = await KvClient.ConnectAsync(Grains, Group);
        foreach (var (key, value) in kvs)
        {
            await kv.PutAsync(key, value);
        }
    }

    public IRaftMemberGrain Member(ulong id) => Grains.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(Group, id));

    /// <summary>
    /// Waits until a member leads with a quorum agreeing, on a silo other than <paramref name="notOnSilo"/>; returns
    /// its status. A member of a killed silo may lead again once activated on another silo: its state is durable.
    /// </summary>
    public async Task<RaftMemberStatus> WaitForLeaderAsync(string? notOnSilo = null)
    {
        RaftMemberStatus? found = null;
        RaftMemberStatus?[] statuses = [];
        await WaitUntilAsync(async () =>
        {
            statuses = await StatusesAsync();
            found = statuses.Where(s => s is { Role: RaftMemberRole.Leader } && s.Silo != notOnSilo).MaxBy(s => s!.Term);
            return found is not null && statuses.Count(s => s is not null && s.Term == found.Term && s.Leader == found.MemberId) > Members.Length / 2;
        }, () => $"a leader of {Group} off silo {notOnSilo}; members last seen: {string.Join("; ", statuses.Select(s => s?.ToString() ?? "no answer"))}");
        return found!;
    }

    /// <summary>
    /// Hands the leadership to a member off the first silo (which must outlive the test: it keeps the membership
    /// table) and returns the leader. A transfer the target does not complete in time is abandoned by Raft, so it is
    /// asked again until it takes.
    /// </summary>
    public async Task<RaftMemberStatus> LeaderOffPrimaryAsync()
    {
        var leader = await WaitForLeaderAsync();
        var sinceTransfer = Stopwatch.StartNew();
        var transfers = 0;
        await WaitUntilAsync(async () =>
        {
            leader = await WaitForLeaderAsync();
            if (!OnPrimary(leader))
            {
                return true;
            }

            if (transfers == 0 || sinceTransfer.Elapsed > TimeSpan.FromSeconds(2))
            {
                var target = (await StatusesAsync()).First(s => s is not null && !OnPrimary(s))!;
                await Member(leader.MemberId).TransferLeadershipAsync(target.MemberId);
                transfers++;
                sinceTransfer.Restart();
            }

            return false;
        }, () => $"the leadership to leave the first silo after {transfers} transfers");
        return leader;
    }

    public async Task<RaftMemberStatus?[]> StatusesAsync() =>
        await Task.WhenAll(Members.Select(async m =>
        {
            try
            {
                return await Member(m).GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(2));
            }
            catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException)
            {
                return null;
            }
        }));

    /// <summary>True when <paramref name="member"/> lives on the first silo, the one that keeps the membership table.</summary>
    public bool OnPrimary(RaftMemberStatus member) => member.Silo == SiloAddressOf(_silos[0]);

    /// <summary>Kills the silo that hosts <paramref name="member"/>, as a crash would: no graceful shutdown.</summary>
    public async Task KillSiloOfAsync(RaftMemberStatus member)
    {
        var silo = _silos.Single(s => SiloAddressOf(s) == member.Silo);
        await silo.Etcd.StopAsync(new CancellationToken(canceled: true));
        await silo.Etcd.DisposeAsync();
        await silo.Host.StopAsync(new CancellationToken(canceled: true));
        silo.Host.Dispose();
    }

    public static Task WaitUntilAsync(Func<Task<bool>> condition, string what) => WaitUntilAsync(condition, () => what);

    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds; fails after <see cref="Bound"/>, saying <paramref name="what"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > Bound)
            {
                throw new TimeoutException($"Waited {Bound} for {what()}.");
            }

            await Task.Delay(20);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in Enumerable.Reverse(_silos))
        {
            try
            {
                await silo.Etcd.StopAsync(new CancellationToken(canceled: true));
                await silo.Host.StopAsync(new CancellationToken(canceled: true));
            }
            catch (ObjectDisposedException)
            {
                // Killed by a test.
            }

            await silo.Etcd.DisposeAsync();
            silo.Host.Dispose();
        }

        TestFolders.Delete(DataDir);
    }

    /// <summary>The etcd gateway of one silo, on its own port, calling grains through the silo, as a host runs it.</summary>
    private static WebApplication StartEtcdGateway(IHost silo, int port)
    {
        var web = WebApplication.CreateSlimBuilder();
        web.Logging.ClearProviders();
        web.Services.AddSingleton(silo.Services.GetRequiredService<IGrainFactory>());
        web.Services.AddOrleansRaftEtcd(o =>
        {
            o.GroupId = Group;
            o.Endpoint = new IPEndPoint(IPAddress.Loopback, port);
            o.ClusterName = ClusterId;
        });
        var app = web.Build();
        app.MapOrleansRaftEtcd();
        return app;
    }

    private IHost StartSilo(int siloPort, int gatewayPort, IPEndPoint primary)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo =>
        {
            silo.UseDevelopmentClustering(primary);
            silo.ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort, listenOnAnyHostAddress: false);
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterId;
                o.ServiceId = ServiceId;
            });

            // A killed silo is declared dead within seconds, so that calls stop waiting on it.
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
            silo.Services.AddKeyedSingleton<IGrainStorage>(StorageName, _storage);
            silo.AddOrleansRaft(o =>
            {
                o.StorageProviderName = StorageName;
                o.AdminToken = AdminToken;
            });
            silo.AddRaftKeyValueStore();
        });
        return builder.Build();
    }

    private static string SiloAddressOf(Silo silo) => silo.Host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString();

    /// <summary>Ports free now: each was bound once by the OS's choice, then released.</summary>
    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    private bool AllActive() =>
        _silos.All(silo =>
            silo.Host.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values
                .Count(m => m.Status == SiloStatus.Active) == _silos.Count);

    private sealed record Silo(IHost Host, int GatewayPort, WebApplication Etcd, int EtcdPort);
}

/// <summary>One cluster for the tests that kill no silo.</summary>
[CollectionDefinition(Name)]
public sealed class SharedClusterCollection : ICollectionFixture<CliCluster>
{
    public const string Name = "shared CLI cluster";
}

/// <summary>A cluster of its own for the test that kills a silo.</summary>
[CollectionDefinition(Name)]
public sealed class FailoverClusterCollection : ICollectionFixture<CliCluster>
{
    public const string Name = "failover CLI cluster";
}

/// <summary>A cluster of its own for the membership tests: the groups they create would show in the shared cluster's group list.</summary>
[CollectionDefinition(Name)]
public sealed class MembershipClusterCollection : ICollectionFixture<CliCluster>
{
    public const string Name = "membership CLI cluster";
}
