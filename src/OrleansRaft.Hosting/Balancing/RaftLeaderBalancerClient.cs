using Orleans.Runtime.Services;

namespace OrleansRaft.Hosting.Balancing;

/// <summary>Reaches the <see cref="IRaftLeaderBalancer"/> of a given silo.</summary>
internal sealed class RaftLeaderBalancerClient(IServiceProvider services) : GrainServiceClient<IRaftLeaderBalancer>(services)
{
    public IRaftLeaderBalancer On(SiloAddress silo) => GetGrainService(silo);
}
