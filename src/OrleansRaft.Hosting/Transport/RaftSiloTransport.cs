using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Members;

namespace OrleansRaft.Hosting.Transport;

/// <summary>
/// Receives the coalesced messages of other silos (<see cref="RaftOutbox"/>) and hands each envelope to its member:
/// straight onto the member's own scheduler when it runs here, as a grain call otherwise (it moved, or is not
/// activated yet), so that a stale idea of where a member runs costs a hop, never a message.
/// </summary>
[Reentrant]
internal sealed class RaftSiloTransport(GrainId grainId, Silo silo, ILoggerFactory loggerFactory, RaftLocalMembers members, IGrainFactory grains)
    : GrainService(grainId, silo, loggerFactory), IRaftSiloTransport
{
    public Task DeliverAsync(RaftEnvelope[] envelopes, SiloAddress senderSilo)
    {
        foreach (var envelope in envelopes)
        {
            if (!members.TryGet(envelope.MemberKey, out var member) || !member.TryDeliverLocal(envelope.Messages, senderSilo))
            {
                grains.GetGrain<IRaftMemberGrain>(envelope.MemberKey).DeliverAsync(envelope.Messages, senderSilo).Ignore();
            }
        }

        return Task.CompletedTask;
    }
}
