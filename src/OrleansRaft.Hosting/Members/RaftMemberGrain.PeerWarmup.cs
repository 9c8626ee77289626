using OrleansRaft.Core;
using OrleansRaft.Hosting.Diagnostics;

namespace OrleansRaft.Hosting.Members;

internal sealed partial class RaftMemberGrain
{
    /// <summary>How often a member introduces itself to every peer, whatever its role.</summary>
    private static readonly TimeSpan PeerWarmupPeriod = TimeSpan.FromSeconds(30);

    private long? _peersWarmedAt;

    /// <summary>
    /// Followers do not message each other in steady state, so a member may never have learned where the other followers
    /// run, and its silo's grain directory cache forgets them (Orleans keeps an entry at most four minutes; a quiet group
    /// looks nobody up). When the leader's silo then fails, or is cut off the network, the first vote request between
    /// survivors would be a grain call waiting on a directory lookup, and if that directory partition lives on the lost
    /// silo, waiting for Orleans to declare the silo dead: about a minute, which no liveness probe can shorten. So at start,
    /// and then periodically while awake, a member introduces itself to every peer (<see cref="IntroduceAsync"/>): both
    /// learn where the other runs, and their Raft messages go through the silos' transports, which look nothing up.
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
                _ = IntroduceToAsync(peer);
            }
        }
    }

    public async Task<SiloAddress> IntroduceAsync(ulong from, SiloAddress senderSilo)
    {
        if (await TryStartForPeerAsync(0) && _failure is null && from != _key.MemberId && IsMember(from))
        {
            NotePeerSilo(from, senderSilo);
        }

        return _silo;
    }

    private async Task IntroduceToAsync(ulong peer)
    {
        try
        {
            var silo = await Peer(peer).IntroduceAsync(_key.MemberId, _silo);
            if (_failure is null)
            {
                NotePeerSilo(peer, silo);
            }
        }
        catch (Exception e)
        {
            // A hint only: a peer that is down, or starting elsewhere, is introduced at the next round.
            RaftLogMessages.PeerIntroductionFailed(_logger, _name, peer, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
