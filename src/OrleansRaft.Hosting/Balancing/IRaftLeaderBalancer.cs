using Orleans.Services;

namespace OrleansRaft.Hosting.Balancing;

/// <summary>One per silo: tells other silos' balancers how many groups this silo leads (see <see cref="RaftLeaderBalancer"/>).</summary>
public interface IRaftLeaderBalancer : IGrainService
{
    /// <summary>How many of the members running on this silo lead their group now.</summary>
    Task<int> CountLeadersAsync();
}
