using Microsoft.AspNetCore.Builder;
using OrleansRaft.Abstractions;

namespace OrleansRaft.Etcd.Tests.Infrastructure;

/// <summary>
/// Four silos on PostgreSQL for the group's three members, so that the leader's silo can be killed (as a crash) and
/// the members still find three silos; a silo is started in place of each killed one. Three gateways on the cluster
/// play etcd's three endpoints.
/// </summary>
public sealed class EtcdFaultCluster() : EtcdGatewayCluster(silos: 4, postgres: true)
{
    private readonly List<WebApplication> _gateways = [];

    /// <summary>The three endpoints, <c>http://127.0.0.1:port</c>: the fixture's gateway and two more.</summary>
    public IReadOnlyList<string> Endpoints { get; private set; } = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var endpoints = new List<string> { Endpoint };
        for (var i = 0; i < 2; i++)
        {
            var (app, endpoint) = await StartGatewayAsync(_ => { });
            _gateways.Add(app);
            endpoints.Add(endpoint);
        }

        Endpoints = endpoints;
    }

    /// <summary>
    /// Kills the silo of the group's leader, as a crash would, starts a silo in its place, and waits until a leader
    /// that a quorum follows is elected; returns the killed leader's member id.
    /// </summary>
    public async Task<ulong> KillLeaderSiloAsync()
    {
        // Every member answers first: a call that must look a member up on a silo that died can hang until Orleans
        // declares the silo dead.
        RaftGroupStatus status = await LeaderStatusAsync();
        await WaitUntilAsync(async () => (status = await LeaderStatusAsync()).Members.All(m => m.Status is not null), "every member to answer");
        var leaderSilo = status.Members.Single(m => m.MemberId == status.Leader).Status!.Silo;
        var victim = Cluster.Silos.Single(s => s.SiloAddress.ToString() == leaderSilo);
        await Cluster.KillSiloAsync(victim);
        await Cluster.StartAdditionalSiloAsync();
        await WaitForAllActiveAsync();
        await LeaderStatusAsync();
        return status.Leader;
    }

    public override async Task DisposeAsync()
    {
        foreach (var app in _gateways)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class EtcdFaultCollection : ICollectionFixture<EtcdFaultCluster>
{
    public const string Name = "etcd gateways on a 4-silo cluster on PostgreSQL, whose leader's silo is killed";
}
