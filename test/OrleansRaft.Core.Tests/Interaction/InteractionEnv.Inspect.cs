namespace OrleansRaft.Core.Tests.Interaction;

internal sealed partial class InteractionEnv
{
    /// <summary><c>raft-state</c>: one line per member.</summary>
    private void RaftState()
    {
        foreach (var member in _members.Values)
        {
            Emit(StateLine(member));
        }
    }

    /// <summary><c>status ID...</c>: the member's state, and for a leader its view of every member's replication.</summary>
    private void Status(ScenarioCommand c)
    {
        foreach (var id in c.Arguments.Select(ScenarioCommand.ParseId))
        {
            var member = Get(id);
            Emit(StateLine(member));
            var node = member.Node;
            if (member.Down)
            {
                continue;
            }

            Emit($"  election-timeout={node.RandomizedElectionTimeout}" + (node.LeadTransferee != 0 ? $" transferring-to={node.LeadTransferee}" : ""));
            if (node.Role == RaftRole.Leader)
            {
                foreach (var (peer, progress) in node.Tracker.Progress)
                {
                    Emit("  " + TraceFormat.Progress(peer, progress));
                }
            }
        }
    }

    /// <summary><c>log [ID...]</c>: each member's log (persisted and not), its snapshot point, commit and applied indexes.</summary>
    private void Log(ScenarioCommand c)
    {
        var ids = c.Arguments.Count > 0 ? c.Arguments.Select(ScenarioCommand.ParseId) : _members.Keys;
        foreach (var id in ids)
        {
            Emit(LogLine(Get(id)));
        }
    }

    /// <summary><c>applied [ID...]</c>: each member's state machine, as <c>index:data</c> pairs.</summary>
    private void AppliedCommand(ScenarioCommand c)
    {
        var ids = c.Arguments.Count > 0 ? c.Arguments.Select(ScenarioCommand.ParseId) : _members.Keys;
        foreach (var id in ids)
        {
            var member = Get(id);
            Emit($"{id}: applied={member.AppliedIndex} [{string.Join(" ", member.StateMachine.Select(p => $"{p.Key}:{p.Value}"))}]");
        }
    }

    /// <summary><c>configuration [ID...]</c>: the membership in force in each member's log, and the one at its applied index.</summary>
    private void ConfigurationCommand(ScenarioCommand c)
    {
        var ids = c.Arguments.Count > 0 ? c.Arguments.Select(ScenarioCommand.ParseId) : _members.Keys;
        foreach (var id in ids)
        {
            var node = Live(id).Node;
            Emit($"{id}: {node.Configuration}; at applied {node.AppliedIndex}: {node.ConfigurationAt(node.AppliedIndex)}");
        }
    }

    private string StateLine(Member member)
    {
        var node = member.Node;
        var text = $"{member.Id}: {node.Role} term={node.Term} vote={node.Vote} leader={node.Leader} " +
                   $"commit={node.CommitIndex} applied={node.AppliedIndex} last={node.Log.LastTerm}/{node.LastIndex}";
        if (node.Configuration.IsLearner(member.Id))
        {
            text += " learner";
        }
        else if (!node.Configuration.IsVoter(member.Id))
        {
            text += " not-member";
        }

        return member.Down ? text + " (down)" : text;
    }

    /// <summary>A live member's log as its core sees it (persisted or not); a down member's persisted log.</summary>
    private string LogLine(Member member)
    {
        var entries = new List<Entry>();
        ulong snapshotIndex, snapshotTerm, commit;
        if (member.Down)
        {
            var storage = member.Storage;
            storage.TryGetEntries(storage.FirstIndex, storage.LastIndex + 1, ulong.MaxValue, entries);
            snapshotIndex = storage.Snapshot.Index;
            snapshotTerm = storage.Snapshot.Term;
            commit = storage.HardState.Commit;
        }
        else
        {
            var log = member.Node.Log;
            log.Slice(log.FirstIndex, log.LastIndex + 1, ulong.MaxValue, entries);
            snapshotIndex = log.FirstIndex - 1;
            snapshotTerm = log.TermOrZero(snapshotIndex);
            commit = log.Committed;
        }

        var text = $"{member.Id}:";
        if (snapshotIndex > 0)
        {
            text += $" snapshot={snapshotTerm}/{snapshotIndex}";
        }

        text += $" [{TraceFormat.Entries(entries)}] commit={commit} applied={member.AppliedIndex}";
        if (!member.Down && member.Node.Log.Unstable.Count > 0)
        {
            text += $" unpersisted-from={member.Node.Log.Unstable.Offset}";
        }

        return member.Down ? text + " (down)" : text;
    }
}
