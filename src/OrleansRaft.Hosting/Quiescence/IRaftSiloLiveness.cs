using Orleans.Services;

namespace OrleansRaft.Hosting.Quiescence;

/// <summary>One per silo: the target of other silos' liveness probes (see <see cref="RaftSiloLiveness"/>).</summary>
public interface IRaftSiloLiveness : IGrainService
{
    /// <summary>Answers at once; that it answers is the point.</summary>
    Task PingAsync();
}
