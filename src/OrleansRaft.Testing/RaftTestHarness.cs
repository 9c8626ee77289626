using OrleansRaft.Hosting.Transport;

namespace OrleansRaft.Testing;

/// <summary>
/// What the silos of a test cluster set up with <see cref="RaftTestClusterBuilderExtensions.AddOrleansRaft"/> share:
/// the storage that holds every member's log and the filter every Raft message passes.
/// </summary>
public sealed class RaftTestHarness
{
    internal RaftTestHarness(RaftTestStorage storage, RaftFaultInjector faults)
    {
        Storage = storage;
        Faults = faults;
    }

    /// <summary>The storage shared by the silos: it outlives any of them.</summary>
    public RaftTestStorage Storage { get; }

    /// <summary>Cuts, drops and delays Raft messages between members (for every silo at once).</summary>
    public RaftFaultInjector Faults { get; }

    /// <summary>
    /// Cuts member <paramref name="memberId"/> off from the other <paramref name="members"/> of its group, in both
    /// directions, as if it were paused: it keeps running and answering calls, but sends and hears no Raft message
    /// until <see cref="ResumeAll"/>.
    /// </summary>
    public void PauseMember(string groupId, ulong memberId, IEnumerable<ulong> members)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        Faults.Partition(groupId, [memberId], members);
    }

    /// <summary>Delivers every Raft message again (undoes <see cref="PauseMember"/> and every other rule of <see cref="Faults"/>).</summary>
    public void ResumeAll() => Faults.Heal();
}
