using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.Hosting.Transport;
using OrleansRaft.KeyValue.Hosting;
using OrleansRaft.Testing;
using OrleansRaft.TestSupport;

namespace OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

/// <summary>
/// An in-process Orleans cluster whose silos host key-value groups, over one <see cref="RaftTestStorage"/> or
/// over PostgreSQL (see <see cref="KvStorage"/>). Every wait is on a condition, bounded by a deadline.
/// </summary>
public sealed class KvCluster : IAsyncDisposable
{
    public const string StorageName = "raft";

    /// <summary>The admin token of every silo: creating and deleting groups needs it.</summary>
    public const string AdminToken = "kv-tests-admin-token";

    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private KvCluster(InProcessTestCluster cluster, KvStorage storage)
    {
        Cluster = cluster;
        Storage = storage;
    }

    public InProcessTestCluster Cluster { get; }

    public KvStorage Storage { get; }

    public IClusterClient Client => Cluster.Client;

    /// <summary>
    /// Starts <paramref name="silos"/> silos on <paramref name="storage"/> (by default <see cref="KvStorageDefault.Value"/>)
    /// and waits until every one sees every other as active.
    /// </summary>
    /// <remarks>
    /// With <paramref name="faults"/>, every silo's Raft messages and liveness probes go through it;
    /// <paramref name="configureSilo"/> adds to every silo's configuration.
    /// </remarks>
    public static async Task<KvCluster> StartAsync(
        int silos, int snapshotEveryEntries = 10_000, KvStorage? storage = null, RaftFaultInjector? faults = null, Action<ISiloBuilder>? configureSilo = null)
    {
        var chosen = storage ?? KvStorageDefault.Value;
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.ConfigureFileLogging = false;
        Action<ISiloBuilder> addStorage;
        if (chosen == KvStorage.Postgres)
        {
            var connectionString = TestPostgres.ConnectionString;
            addStorage = silo => silo.AddRaftPostgresBatchingStorage(StorageName, connectionString);

            // Rows are keyed by service id: a fresh one keeps this cluster's groups apart from those of the other
            // clusters on the server, which use the same group ids (and of earlier runs, on a server ORLEANSRAFT_POSTGRES names).
            builder.Options.ServiceId = $"kv-tests-{Guid.NewGuid():N}";
        }
        else
        {
            var shared = new RaftTestStorage();
            addStorage = silo => silo.Services.AddKeyedSingleton<IGrainStorage>(StorageName, shared);
        }

        builder.ConfigureSilo((_, silo) =>
        {
            addStorage(silo);
            silo.AddOrleansRaft(o =>
            {
                o.StorageProviderName = StorageName;
                o.AdminToken = AdminToken;
                o.SnapshotEveryEntries = snapshotEveryEntries;
            });
            silo.AddRaftKeyValueStore();
            if (faults is not null)
            {
                silo.AddRaftMessageFilter(faults);
            }
            configureSilo?.Invoke(silo);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        await WaitForAllActiveAsync(cluster);
        return new KvCluster(cluster, chosen);
    }

    /// <summary>Creates a key-value group of members 1..<paramref name="members"/> and waits until it has a leader.</summary>
    public async Task<ulong[]> CreateGroupAsync(string groupId, int members = 3)
    {
        var ids = Enumerable.Range(1, members).Select(i => (ulong)i).ToArray();
        await Client.GetGrain<IRaftGroupGrain>(groupId).CreateAsync(new RaftGroupSpec(ids, KeyValueStore.StateMachineType), AdminToken);
        await WaitForLeaderAsync(groupId, ids);
        return ids;
    }

    public Task<KvClient> ConnectAsync(string groupId, KvClientOptions? options = null) => KvClient.ConnectAsync(Client, groupId, options);

    public IRaftMemberGrain Member(string groupId, ulong id) => Client.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(groupId, id));

    /// <summary>Waits until a member other than <paramref name="notThis"/> leads with a quorum agreeing; returns its status.</summary>
    public Task<RaftMemberStatus> WaitForLeaderAsync(string groupId, IReadOnlyList<ulong> members, ulong notThis = 0) =>
        Cluster.WaitForLeaderAsync(groupId, members, Bound, notThis);

    /// <summary>
    /// Waits until every member answers, which resolves where each one lives. Call it before killing a silo: a call
    /// that must first look a member up can hang until Orleans declares the killed silo dead.
    /// </summary>
    public Task ResolveMembersAsync(string groupId, IReadOnlyList<ulong> members) => Client.ResolveMembersAsync(groupId, members, Bound);

    public Task<RaftMemberStatus?[]> StatusesAsync(string groupId, IReadOnlyList<ulong> members) => Client.MemberStatusesAsync(groupId, members);

    /// <summary>Kills the silo that hosts the member <paramref name="status"/> describes, as a crash would.</summary>
    public Task KillSiloOfAsync(RaftMemberStatus status) => Cluster.KillSiloAsync(SiloOf(status));

    /// <summary>The live silo that hosted the member when <paramref name="status"/> was taken.</summary>
    public InProcessSiloHandle SiloOf(RaftMemberStatus status) => Cluster.SiloOf(status);

    /// <summary>
    /// Starts a silo in place of a killed one and waits until every silo sees exactly the live silos as active, so
    /// that placement no longer offers a killed silo.
    /// </summary>
    public async Task<InProcessSiloHandle> StartSiloAsync()
    {
        var silo = await Cluster.StartAdditionalSiloAsync();
        await WaitForAllActiveAsync(Cluster);
        return silo;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <see cref="Bound"/>.</summary>
    public static Task WaitUntilAsync(Func<Task<bool>> condition, string what) => RaftWait.UntilAsync(condition, Bound, what);

    /// <summary>Placement reads the local silo's membership view: groups are created once every silo sees every other.</summary>
    private static Task WaitForAllActiveAsync(InProcessTestCluster cluster) => cluster.WaitForMembershipAsync(Bound);

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
