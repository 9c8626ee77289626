using Orleans.Runtime;
using Orleans.Runtime.Services;

namespace OrleansRaft.Hosting.Quiescence;

/// <summary>Reaches the <see cref="IRaftSiloLiveness"/> of a given silo.</summary>
internal sealed class RaftSiloLivenessClient(IServiceProvider services) : GrainServiceClient<IRaftSiloLiveness>(services)
{
    public IRaftSiloLiveness On(SiloAddress silo) => GetGrainService(silo);
}
