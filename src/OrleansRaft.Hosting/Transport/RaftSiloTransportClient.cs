using Orleans.Runtime.Services;

namespace OrleansRaft.Hosting.Transport;

/// <summary>Reaches the <see cref="IRaftSiloTransport"/> of a given silo.</summary>
internal sealed class RaftSiloTransportClient(IServiceProvider services) : GrainServiceClient<IRaftSiloTransport>(services)
{
    public IRaftSiloTransport On(SiloAddress silo) => GetGrainService(silo);
}
