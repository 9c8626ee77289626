using OrleansRaft.Core;

namespace OrleansRaft.Hosting.Members;

internal sealed partial class RaftMemberGrain
{
    /// <summary>How often a member touches every peer, whatever its role.</summary>
    private static readonly TimeSpan PeerWarmupPeriod = TimeSpan.FromSeconds(30);

    private long? _peersWarmedAt;

    /// <summary>
    /// Followers do not message each other in steady state, so their silos may not know where the other followers
    /// live. When the leader's silo dies, the first vote request between survivors would then wait for a grain
    /// directory lookup, and if that directory partition lived on the dead silo, for Orleans to declare the silo dead
    /// (seconds). An empty delivery to every peer, at start and then periodically, keeps their addresses in this
    /// silo's directory cache, so that an election after a silo failure goes straight to the survivors.
    /// </summary>
    private void WarmPeers(RaftNode node)
    {
        var now = Time.GetTimestamp();
        if (_peersWarmedAt is { } warmed && Time.GetElapsedTime(warmed, now) < PeerWarmupPeriod)
        {
            return;
        }

        _peersWarmedAt = now;
        var configuration = node.Configuration;
        foreach (var peer in configuration.Voters.Concat(configuration.Learners))
        {
            if (peer != _key.MemberId)
            {
                Peer(peer).DeliverAsync([], _silo).Ignore();
            }
        }
    }
}
