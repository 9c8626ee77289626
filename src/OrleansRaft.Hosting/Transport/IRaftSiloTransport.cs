using Orleans.Concurrency;
using Orleans.Services;
using OrleansRaft.Abstractions;

namespace OrleansRaft.Hosting.Transport;

/// <summary>One per silo: takes the Raft messages another silo's members send to members of any group on this one.</summary>
public interface IRaftSiloTransport : IGrainService
{
    /// <summary>
    /// Hands each envelope's messages to its member. Fire and forget, as Raft messages are: they may be lost,
    /// reordered or duplicated. <paramref name="senderSilo"/> is the silo every sender runs on.
    /// </summary>
    [OneWay]
    Task DeliverAsync(RaftEnvelope[] envelopes, SiloAddress senderSilo);
}

/// <summary>The messages of one sender for one member, <paramref name="MemberKey"/> (<c>group/member</c>).</summary>
[GenerateSerializer, Immutable, Alias("orleansraft.envelope")]
public sealed record RaftEnvelope([property: Id(0)] string MemberKey, [property: Id(1)] RaftMessageData[] Messages);
