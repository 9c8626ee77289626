using OrleansRaft.Core;

namespace OrleansRaft.Benchmarks;

/// <summary>
/// One member and the host loop a benchmark needs: it "persists" each Ready into a <see cref="MemoryLogStore"/>,
/// puts the messages on the shared in-memory network, applies committed entries and advances. Nothing here
/// copies an entry's payload: entries move by value, and their <see cref="Entry.Data"/> points at the proposer's memory.
/// </summary>
internal sealed class BenchMember
{
    public BenchMember(ulong id, MembershipConfiguration configuration)
    {
        Id = id;
        Storage = new MemoryLogStore(configuration);
        Node = new RaftNode(
            new RaftOptions
            {
                Id = id,
                ElectionTicks = 10,
                HeartbeatTicks = 1,
                Random = new Random((int)id),
            },
            Storage);
    }

    public ulong Id { get; }

    public RaftNode Node { get; }

    public MemoryLogStore Storage { get; }

    /// <summary>The last index the (trivial) state machine applied; committed entries must arrive in order, without gaps.</summary>
    public ulong AppliedIndex { get; private set; }

    /// <summary>Payload bytes applied, so that applying reads every entry.</summary>
    public long AppliedBytes { get; private set; }

    /// <summary>Sees every entry persisted and applied, for the payload identity check; null while measuring.</summary>
    public PayloadIdentityCheck? Observer { get; set; }

    /// <summary>Handles one Ready if there is one; returns false when the node had nothing to hand out.</summary>
    public bool HandleReady(Queue<Message> network, PhaseProfile? profile)
    {
        var start = profile?.Begin() ?? default;
        if (!Node.HasReady)
        {
            profile?.End(Phase.HasReady, start);
            return false;
        }

        var ready = Node.GetReady();
        var isLeader = Node.Role == RaftRole.Leader;
        start = profile?.Switch(isLeader ? Phase.LeaderGetReady : Phase.FollowerGetReady, start) ?? default;

        if (ready.Snapshot is { } snapshot)
        {
            Storage.ApplySnapshot(snapshot);
            AppliedIndex = snapshot.Index;
        }

        var entries = ready.Entries;
        Storage.Append(entries);
        if (Observer is not null)
        {
            for (var i = 0; i < entries.Count; i++)
            {
                Observer.Persisted(Id, entries[i]);
            }
        }

        if (ready.HardState is { } hardState)
        {
            Storage.SetHardState(hardState);
        }

        // Indexed loops: foreach over an IReadOnlyList boxes its enumerator.
        var messages = ready.Messages;
        for (var i = 0; i < messages.Count; i++)
        {
            network.Enqueue(messages[i]);
        }

        var committed = ready.CommittedEntries;
        for (var i = 0; i < committed.Count; i++)
        {
            var entry = committed[i];
            if (entry.Index != AppliedIndex + 1)
            {
                throw new InvalidOperationException($"Member {Id} applied {entry.Index} after {AppliedIndex}.");
            }

            AppliedIndex = entry.Index;
            AppliedBytes += entry.Data.Length;
            Observer?.Applied(Id, entry);
        }

        start = profile?.Switch(Phase.Host, start) ?? default;
        Node.Advance();
        profile?.End(Phase.Advance, start);
        return true;
    }
}
