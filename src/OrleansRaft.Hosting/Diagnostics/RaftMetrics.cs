using System.Diagnostics.Metrics;

namespace OrleansRaft.Hosting.Diagnostics;

/// <summary>
/// The meter <c>OrleansRaft</c>: elections started and won, entries committed and applied, and how far a member's
/// state machine trails its commit index when it applies, the entries each log write carries, the commit observers
/// subscribed, and the envelopes each coalesced call between silos carries.
/// </summary>
public sealed class RaftMetrics : IDisposable
{
    public const string MeterName = "OrleansRaft";

    private readonly Meter _meter;

    public RaftMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        ElectionsStarted = _meter.CreateCounter<long>("orleansraft.elections.started", description: "Campaigns started by members (pre-votes excluded).");
        LeadersElected = _meter.CreateCounter<long>("orleansraft.elections.won", description: "Members that became leader.");
        EntriesApplied = _meter.CreateCounter<long>("orleansraft.entries.applied", description: "Committed entries applied to state machines.");
        ProposalsCommitted = _meter.CreateCounter<long>("orleansraft.proposals.committed", description: "Proposals that committed and were answered.");
        Observers = _meter.CreateUpDownCounter<long>("orleansraft.observers", unit: "{observer}", description: "Commit observers subscribed to members, tagged with the group and member.");
        ApplyLag = _meter.CreateHistogram<long>("orleansraft.apply.lag", unit: "{entry}", description: "Commit index minus applied index when a member applies.");
        AppendBatch = _meter.CreateHistogram<long>(
            "orleansraft.append.entries", unit: "{entry}", description: "Entries in one log write, tagged with the writer's role (leader or follower).");
        TransportBatch = _meter.CreateHistogram<long>(
            "orleansraft.transport.batch", unit: "{envelope}", description: "Members' message envelopes that shared one call from this silo to another.");
    }

    public Counter<long> ElectionsStarted { get; }

    public Counter<long> LeadersElected { get; }

    public Counter<long> EntriesApplied { get; }

    public Counter<long> ProposalsCommitted { get; }

    public Histogram<long> ApplyLag { get; }

    public Histogram<long> AppendBatch { get; }

    public Histogram<long> TransportBatch { get; }

    public UpDownCounter<long> Observers { get; }

    public void Dispose() => _meter.Dispose();
}
