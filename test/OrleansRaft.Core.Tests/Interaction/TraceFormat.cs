using System.Text;
using OrleansRaft.Core.Tracking;

namespace OrleansRaft.Core.Tests.Interaction;

/// <summary>
/// How traces spell the core's values. Written here rather than taken from the core's <c>ToString</c> so that
/// the expected traces change only when behaviour does.
/// </summary>
internal static class TraceFormat
{
    /// <summary><c>term/index</c>, then <c>:data</c> for a non-empty payload and <c> conf</c> for a configuration entry.</summary>
    public static string Entry(Entry entry)
    {
        var text = $"{entry.Term}/{entry.Index}";
        if (entry.Type == EntryType.Configuration)
        {
            return text + " conf";
        }

        return entry.Data.Length == 0 ? text : text + ":" + Encoding.UTF8.GetString(entry.Data.Span);
    }

    public static string Entries(IEnumerable<Entry> entries) => string.Join(" ", entries.Select(Entry));

    public static string Message(Message m)
    {
        var text = $"{m.From}->{m.To} {m.Type} term={m.Term}";
        return text + m.Type switch
        {
            MessageType.Append => $" prev={m.LogTerm}/{m.Index} commit={m.Commit}" + (m.Entries.Length > 0 ? $" entries=[{Entries(m.Entries)}]" : ""),
            MessageType.AppendResponse => m.Reject ? $" reject index={m.Index} hint={m.LogTerm}/{m.RejectHint}" : $" index={m.Index}",
            MessageType.Vote or MessageType.PreVote => $" last={m.LogTerm}/{m.Index}" + (m.Context != 0 ? " transfer" : ""),
            MessageType.VoteResponse or MessageType.PreVoteResponse => m.Reject ? " reject" : " grant",
            MessageType.Heartbeat => $" commit={m.Commit}" + (m.Context != 0 ? $" round={m.Context}" : ""),
            MessageType.HeartbeatResponse => m.Context != 0 ? $" round={m.Context}" : "",
            MessageType.InstallSnapshot => m.Snapshot is { } s ? $" snapshot={Snapshot(s)}" : " snapshot=none",
            _ => "",
        };
    }

    public static string Snapshot(Snapshot snapshot) => $"{snapshot.Term}/{snapshot.Index} {snapshot.Metadata.Configuration}";

    public static string HardState(HardState hardState) => $"term={hardState.Term} vote={hardState.Vote} commit={hardState.Commit}";

    public static string Progress(ulong id, Progress p)
    {
        var text = $"{id}: {p.State} match={p.Match} next={p.Next}";
        if (p.State == ReplicationState.Snapshot)
        {
            text += $" pending-snapshot={p.PendingSnapshot}";
        }

        if (p.IsLearner)
        {
            text += " learner";
        }

        if (p.Inflights.Count > 0)
        {
            text += $" inflight={p.Inflights.Count}" + (p.Inflights.IsFull ? "(full)" : "");
        }

        if (p.ProbeSent)
        {
            text += " probe-sent";
        }

        if (p.RecentActive)
        {
            text += " active";
        }

        return text;
    }
}
