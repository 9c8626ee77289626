using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Diagnostics;

namespace OrleansRaft.Hosting.Transport;

/// <summary>
/// Coalesces the Raft messages this silo's members send to members on other silos, whatever their group: the
/// envelopes for one destination silo that pile up while a send is scheduled go out as one call to that silo's
/// <see cref="IRaftSiloTransport"/>. With many busy groups between the same two silos, their appends, heartbeats and
/// answers share calls instead of one each.
/// </summary>
/// <remarks>
/// A flush is queued to the thread pool when a destination's first envelope arrives, so it adds no timer and no
/// delay beyond the sends already queued: what coalesces is what the silo's members send in the same burst. The
/// destination is the sender's hint of where the member runs. It is used only while membership calls that silo
/// active; otherwise <see cref="TrySend"/> refuses and the member falls back to a direct grain call.
/// </remarks>
internal sealed class RaftOutbox(
    RaftSiloTransportClient transport, IClusterMembershipService membership, ILocalSiloDetails local, RaftMetrics metrics, ILogger<RaftOutbox> logger)
{
    private readonly Dictionary<SiloAddress, Pending> _pending = [];
    private readonly SiloAddress _local = local.SiloAddress;

    /// <summary>Queues the messages for <paramref name="memberKey"/> on <paramref name="silo"/>; false when that silo is not a usable destination.</summary>
    public bool TrySend(SiloAddress silo, string memberKey, RaftMessageData[] messages)
    {
        if (silo.Equals(_local))
        {
            return false;
        }

        var status = membership.CurrentSnapshot.GetSiloStatus(silo);
        if (status != SiloStatus.Active)
        {
            if (status == SiloStatus.Dead)
            {
                // A dead silo never comes back under the same address: forget it. A flush already queued keeps its envelopes.
                lock (_pending)
                {
                    _pending.Remove(silo);
                }
            }

            return false;
        }

        Pending pending;
        lock (_pending)
        {
            if (!_pending.TryGetValue(silo, out pending!))
            {
                _pending[silo] = pending = new Pending(silo);
            }
        }

        bool schedule;
        lock (pending)
        {
            pending.Envelopes.Add(new RaftEnvelope(memberKey, messages));
            schedule = !pending.Scheduled;
            pending.Scheduled = true;
        }

        if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(Flush, pending, preferLocal: false);
        }

        return true;
    }

    private void Flush(Pending pending)
    {
        RaftEnvelope[] envelopes;
        lock (pending)
        {
            envelopes = [.. pending.Envelopes];
            pending.Envelopes.Clear();
            pending.Scheduled = false;
        }

        metrics.TransportBatch.Record(envelopes.Length);
        try
        {
            transport.On(pending.Silo).DeliverAsync(envelopes, _local).Ignore();
        }
        catch (Exception e)
        {
            // The call could not even be sent, as when this silo is shutting down and its runtime is being disposed.
            // Raft messages may be lost; an exception escaping this thread-pool work item would end the process.
            RaftLogMessages.CoalescedSendFailed(logger, pending.Silo, envelopes.Length, e);
        }
    }

    private sealed class Pending(SiloAddress silo)
    {
        public SiloAddress Silo { get; } = silo;

        public List<RaftEnvelope> Envelopes { get; } = [];

        public bool Scheduled { get; set; }
    }
}
