using OrleansRaft.Abstractions;
using OrleansRaft.Core;

namespace OrleansRaft.Hosting.Transport;

/// <summary>Maps core messages to their wire form and back. Payloads are shared, not copied.</summary>
internal static class RaftMessageMapper
{
    public static RaftMessageData ToData(Message m) => new()
    {
        Type = (byte)m.Type,
        From = m.From,
        To = m.To,
        Term = m.Term,
        Index = m.Index,
        LogTerm = m.LogTerm,
        Entries = m.Entries.Length == 0 ? null : Array.ConvertAll(m.Entries, e => new RaftEntryData(e.Term, e.Index, (byte)e.Type, e.Data)),
        Commit = m.Commit,
        Reject = m.Reject,
        RejectHint = m.RejectHint,
        Snapshot = m.Snapshot is { } s ? ToData(s) : null,
        Context = m.Context,
    };

    public static Message FromData(RaftMessageData d)
    {
        if (!Enum.IsDefined((MessageType)d.Type))
        {
            throw new ArgumentException($"Unknown Raft message type {d.Type}.", nameof(d));
        }

        return new Message
        {
            Type = (MessageType)d.Type,
            From = d.From,
            To = d.To,
            Term = d.Term,
            Index = d.Index,
            LogTerm = d.LogTerm,
            Entries = d.Entries is { Length: > 0 } entries ? Array.ConvertAll(entries, e => new Entry(e.Term, e.Index, (EntryType)e.Type, e.Data)) : [],
            Commit = d.Commit,
            Reject = d.Reject,
            RejectHint = d.RejectHint,
            Snapshot = d.Snapshot is { } s ? FromData(s) : null,
            Context = d.Context,
        };
    }

    public static RaftSnapshotData ToData(Snapshot s) => new(
        s.Index, s.Term, [.. s.Metadata.Configuration.Voters], [.. s.Metadata.Configuration.Learners], s.Data);

    public static Snapshot FromData(RaftSnapshotData s) =>
        new(new SnapshotMetadata(s.Index, s.Term, new MembershipConfiguration(s.Voters, s.Learners)), s.Data);
}
