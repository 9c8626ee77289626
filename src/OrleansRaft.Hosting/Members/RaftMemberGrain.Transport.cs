using OrleansRaft.Abstractions;
using OrleansRaft.Core;
using OrleansRaft.Hosting.Diagnostics;
using OrleansRaft.Hosting.Transport;

namespace OrleansRaft.Hosting.Members;

internal sealed partial class RaftMemberGrain
{
    private readonly Dictionary<ulong, IRaftMemberGrain> _peers = [];

    /// <summary>Where each peer last said it runs: where <see cref="RaftOutbox"/> sends it messages.</summary>
    private readonly Dictionary<ulong, (SiloAddress Silo, string Key)> _peerSilos = [];

    /// <summary>Set when deactivation begins: from then on the silo transport no longer hands this activation messages.</summary>
    private volatile bool _deactivating;

    public async Task DeliverAsync(RaftMessageData[] messages, SiloAddress? senderSilo = null)
    {
        if (!await TryStartForPeerAsync(messages.Length) || _failure is not null)
        {
            return;
        }

        var node = Node;
        var noted = false;
        foreach (var data in messages)
        {
            if (data.To != _key.MemberId || !IsMember(data.From))
            {
                continue;
            }

            if (!noted && senderSilo is not null)
            {
                NotePeerSilo(data.From, senderSilo);
                noted = true;
            }

            var message = RaftMessageMapper.FromData(data);
            if (message.Type is MessageType.InstallSnapshot or MessageType.Quiesce)
            {
                // Snapshots travel by InstallSnapshotAsync, which reports their outcome to the leader; a Quiesce by
                // QuiesceAsync, which names the leader's silo.
                continue;
            }

            node.Step(message);
            NoteLeaderContact(message, node);
        }

        Kick();
    }

    /// <summary>
    /// Called by the silo transport, off this activation's scheduler: queues the delivery onto it, as an interleaved
    /// <see cref="DeliverAsync"/> call would run. False once deactivation began; the transport then makes a grain call.
    /// </summary>
    internal bool TryDeliverLocal(RaftMessageData[] messages, SiloAddress senderSilo)
    {
        if (_deactivating)
        {
            return false;
        }

        GrainContext.Scheduler.QueueAction(() => DeliverAsync(messages, senderSilo).Ignore());
        return true;
    }

    /// <summary>
    /// Whether this member leads its group, read off the activation's scheduler by the leader balancer: a hint, which
    /// the balancer acts on only through a leadership transfer the member itself decides.
    /// </summary>
    internal bool IsLeader => _failure is null && _node?.Role == RaftRole.Leader;

    private void NotePeerSilo(ulong peer, SiloAddress silo)
    {
        if (!_peerSilos.TryGetValue(peer, out var known) || !known.Silo.Equals(silo))
        {
            _peerSilos[peer] = (silo, RaftMemberKey.Format(_key.GroupId, peer));
        }
    }

    /// <summary>
    /// Starts the member for a message from a peer. Messages for a group that does not exist (or no longer does, while
    /// it is being deleted) or for a member outside it are not errors of this call: they are dropped, logged, and the
    /// activation goes away.
    /// </summary>
    private async Task<bool> TryStartForPeerAsync(int messages)
    {
        try
        {
            await EnsureStartedAsync();
            return true;
        }
        catch (Exception e) when (e is RaftGroupNotFoundException or RaftMemberNotFoundException)
        {
            RaftLogMessages.IgnoredMessages(_logger, _name, messages, e.Message);
            DeactivateOnIdle();
            return false;
        }
    }

    /// <summary>Takes a snapshot message; returns once it is stepped, so the sender can report it delivered.</summary>
    public async Task<bool> InstallSnapshotAsync(RaftMessageData message)
    {
        if (!await TryStartForPeerAsync(1) || _failure is not null || message.To != _key.MemberId || message.Snapshot is null || !IsMember(message.From))
        {
            return false;
        }

        var stepped = RaftMessageMapper.FromData(message);
        Node.Step(stepped);
        NoteLeaderContact(stepped, Node);
        Kick();
        return true;
    }

    /// <summary>Sends a leader's appends and heartbeats now, and returns the other messages, to send after the write.</summary>
    private IReadOnlyList<Message> SendLeaderTraffic(IReadOnlyList<Message> messages)
    {
        if (messages.Count == 0)
        {
            return messages;
        }

        var now = new List<Message>(messages.Count);
        var later = new List<Message>();
        foreach (var message in messages)
        {
            (message.Type is MessageType.Append or MessageType.Heartbeat ? now : later).Add(message);
        }

        Send(now);
        return later;
    }

    /// <summary>Sends messages grouped by destination: one one-way call per peer and Ready.</summary>
    private void Send(IReadOnlyList<Message> messages)
    {
        if (messages.Count == 0)
        {
            return;
        }

        foreach (var batch in messages.GroupBy(m => m.To))
        {
            var to = batch.Key;
            var fate = _filter.Decide(_key.GroupId, _key.MemberId, to);
            if (fate.Drop)
            {
                continue;
            }

            List<RaftMessageData>? regular = null;
            foreach (var message in batch)
            {
                if (message.Type == MessageType.InstallSnapshot)
                {
                    _ = SendSnapshotAsync(to, RaftMessageMapper.ToData(message), fate.Delay);
                }
                else if (message.Type == MessageType.Quiesce)
                {
                    _ = SendQuiesceAsync(to, RaftMessageMapper.ToData(message), fate.Delay);
                }
                else
                {
                    (regular ??= []).Add(RaftMessageMapper.ToData(message));
                }
            }

            if (regular is not null)
            {
                var data = regular.ToArray();
                if (fate.Delay > TimeSpan.Zero)
                {
                    _ = DeliverLaterAsync(to, data, fate.Delay);
                }
                else
                {
                    Deliver(to, data);
                }
            }
        }
    }

    private async Task DeliverLaterAsync(ulong to, RaftMessageData[] data, TimeSpan delay)
    {
        await Task.Delay(delay);
        Deliver(to, data);
    }

    /// <summary>
    /// Straight onto the peer's scheduler when it runs on this silo; through the silo's outbox when the peer's silo is
    /// known and active, coalesced with the other groups' messages to that silo; as a grain call of its own otherwise,
    /// which also tells the peer where this member runs. Only the grain call may need a grain directory lookup, which
    /// waits while the silo holding that directory partition is unreachable.
    /// </summary>
    private void Deliver(ulong to, RaftMessageData[] data)
    {
        if (_outbox is not null)
        {
            var known = _peerSilos.TryGetValue(to, out var peer);
            if (_localMembers.TryGet(known ? peer.Key : RaftMemberKey.Format(_key.GroupId, to), out var local) && local.TryDeliverLocal(data, _silo))
            {
                return;
            }

            if (known)
            {
                if (_outbox.TrySend(peer.Silo, peer.Key, data))
                {
                    return;
                }

                // The silo is not a usable destination: call the peer directly until its messages name where it runs now.
                _peerSilos.Remove(to);
            }
        }

        Peer(to).DeliverAsync(data, _silo).Ignore();
    }

    private async Task SendQuiesceAsync(ulong to, RaftMessageData message, TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay);
        }

        Peer(to).QuiesceAsync(message, _silo).Ignore();
    }

    private async Task SendSnapshotAsync(ulong to, RaftMessageData message, TimeSpan delay)
    {
        var delivered = false;
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay);
            }

            delivered = await Peer(to).InstallSnapshotAsync(message);
        }
        catch (Exception e) when (RaftExpectedFailures.IsExpected(e))
        {
            RaftLogMessages.SnapshotSendInterrupted(_logger, _name, to, e.Message);
        }
        catch (Exception e)
        {
            RaftLogMessages.SnapshotSendFailed(_logger, _name, to, e);
        }

        if (_failure is null && _node is not null)
        {
            _node.ReportSnapshot(to, delivered);
            Kick();
        }
    }

    private IRaftMemberGrain Peer(ulong id)
    {
        if (!_peers.TryGetValue(id, out var peer))
        {
            peer = GrainFactory.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(_key.GroupId, id));
            _peers[id] = peer;
        }

        return peer;
    }
}
