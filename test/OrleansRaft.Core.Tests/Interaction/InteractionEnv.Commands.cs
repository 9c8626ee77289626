using System.Globalization;
using System.Text;

namespace OrleansRaft.Core.Tests.Interaction;

internal sealed partial class InteractionEnv
{
    private void Dispatch(ScenarioCommand c)
    {
        switch (c.Name)
        {
            case "add-nodes": AddNodes(c); break;
            case "add-member": AddMember(c); break;
            case "conf-change": ConfChange(c); break;
            case "load-log": LoadLog(c); break;
            case "campaign": Input(Live(c.Id(0)), "", node => node.Campaign()); break;
            case "tick": Tick(c); break;
            case "propose": Propose(c); break;
            case "read-index": ReadIndex(c); break;
            case "transfer-leadership": TransferLeadership(c); break;
            case "compact": Compact(c); break;
            case "crash": Crash(c); break;
            case "restart": Restart(c); break;
            case "report-unreachable": Input(Live(c.Id(0)), "", node => node.ReportUnreachable(c.Id(1))); break;
            case "report-snapshot": Input(Live(c.Id(0)), "", node => node.ReportSnapshot(c.Id(1), SnapshotOutcome(c.Argument(2)))); break;
            case "partition": Partition(c); break;
            case "block": _blocked.Add((c.Id(0), c.Id(1))); break;
            case "heal": _blocked.Clear(); break;
            case "deliver": Deliver(c); break;
            case "process": Process(c); break;
            case "receive": ReceiveCommand(c); break;
            case "drop": Drop(c); break;
            case "queued": Queued(); break;
            case "raft-state": RaftState(); break;
            case "status": Status(c); break;
            case "log": Log(c); break;
            case "applied": AppliedCommand(c); break;
            case "configuration": ConfigurationCommand(c); break;
            default: throw new FormatException($"Unknown command `{c.Name}`.");
        }
    }

    /// <summary><c>add-nodes N [learners=4,5] [election=10] [heartbeat=1] [prevote=true] [checkquorum=true] [max-inflight=..] [max-msg-size=..] [max-uncommitted=..] [seed=1]</c></summary>
    private void AddNodes(ScenarioCommand c)
    {
        if (_members.Count > 0)
        {
            throw new FormatException("`add-nodes` may run once per scenario.");
        }

        var defaults = new Settings();
        _settings = new Settings
        {
            ElectionTicks = c.IntOption("election", defaults.ElectionTicks),
            HeartbeatTicks = c.IntOption("heartbeat", defaults.HeartbeatTicks),
            PreVote = c.BoolOption("prevote", defaults.PreVote),
            CheckQuorum = c.BoolOption("checkquorum", defaults.CheckQuorum),
            MaxInflight = c.IntOption("max-inflight", defaults.MaxInflight),
            MaxSizePerMessage = c.ULongOption("max-msg-size", defaults.MaxSizePerMessage),
            MaxUncommitted = c.ULongOption("max-uncommitted", defaults.MaxUncommitted),
            Seed = c.IntOption("seed", defaults.Seed),
        };
        var count = int.Parse(c.Argument(0), CultureInfo.InvariantCulture);
        var voters = Enumerable.Range(1, count).Select(i => (ulong)i).ToArray();
        var learners = c.IdsOption("learners");
        _configuration = new MembershipConfiguration(voters, learners);
        foreach (var id in voters.Concat(learners))
        {
            var member = new Member(id, new MemoryLogStore(_configuration));
            _members[id] = member;
            Start(member);
        }

        Emit($"{_configuration}");
        Emit(_settings.ToString());
        foreach (var member in _members.Values)
        {
            Emit($"{member.Id}: election-timeout={member.Node.RandomizedElectionTimeout}");
        }
    }

    /// <summary>
    /// <c>add-member ID</c>: starts a member with no persisted state and no configuration, as a host does for a member
    /// that joins through a membership change. It never campaigns until a configuration in its log makes it a voter.
    /// </summary>
    private void AddMember(ScenarioCommand c)
    {
        var id = c.Id(0);
        if (_members.ContainsKey(id))
        {
            throw new FormatException($"Member {id} exists already.");
        }

        var member = new Member(id, new MemoryLogStore());
        _members[id] = member;
        Start(member);
        Emit($"{id}: election-timeout={member.Node.RandomizedElectionTimeout}");
    }

    /// <summary><c>conf-change LEADER add-learner|promote|remove ID</c>: proposes one membership change.</summary>
    private void ConfChange(ScenarioCommand c)
    {
        var member = Live(c.Id(0));
        var target = c.Id(2);
        var change = c.Argument(1) switch
        {
            "add-learner" => ConfigurationChange.AddLearner(target),
            "promote" => ConfigurationChange.PromoteLearner(target),
            "remove" => ConfigurationChange.RemoveMember(target),
            var other => throw new FormatException($"A configuration change is add-learner, promote or remove, not `{other}`."),
        };
        var result = Input(member, "", node => node.ProposeConfigurationChange(change));
        Emit(result.IsAccepted
            ? $"{change}: accepted at {result.Term}/{result.Index}: {result.Configuration}"
            : $"{change}: refused {result.Status}" + (result.LeaderHint != 0 ? $" (leader {result.LeaderHint})" : ""));
    }

    /// <summary>
    /// <c>load-log ID T1 T2 ... [term=T] [commit=C]</c>: replaces a member's persisted log with empty entries of the given
    /// terms (at indexes 1, 2, ...) and restarts it, as if it had crashed holding that log. The persisted term is
    /// <c>term</c> (default: the last entry's), with no vote.
    /// </summary>
    private void LoadLog(ScenarioCommand c)
    {
        var member = Get(c.Id(0));
        var terms = c.Arguments.Skip(1).Select(t => ulong.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var entries = terms.Select((term, i) => new Entry(term, (ulong)i + 1, EntryType.Normal, ReadOnlyMemory<byte>.Empty)).ToArray();
        var storage = new MemoryLogStore(_configuration);
        storage.Append(entries);
        var lastTerm = terms.Length > 0 ? terms[^1] : 0;
        storage.SetHardState(new HardState(c.ULongOption("term", lastTerm), 0, c.ULongOption("commit", 0)));
        member.Storage = storage;
        member.StateMachine.Clear();
        member.AppliedIndex = 0;
        Inbox(member.Id).Clear();
        Start(member);
        Emit(LogLine(member));
    }

    /// <summary><c>tick ID... [xN]</c> or <c>tick all [xN]</c>: each repetition ticks the members in order.</summary>
    private void Tick(ScenarioCommand c)
    {
        var ids = new List<ulong>();
        var times = 1;
        foreach (var argument in c.Arguments)
        {
            if (argument.Length > 1 && argument[0] == 'x' && int.TryParse(argument.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                times = n;
            }
            else if (argument == "all")
            {
                ids.AddRange(_members.Values.Where(m => !m.Down).Select(m => m.Id));
            }
            else
            {
                ids.Add(ScenarioCommand.ParseId(argument));
            }
        }

        for (var i = 1; i <= times; i++)
        {
            var prefix = times > 1 ? $"tick {i}: " : "";
            foreach (var id in ids)
            {
                Input(Live(id), prefix, node => node.Tick());
            }
        }
    }

    /// <summary><c>propose ID DATA...</c>: one proposal per argument, each reported as accepted (at term/index) or refused.</summary>
    private void Propose(ScenarioCommand c)
    {
        var member = Live(c.Id(0));
        foreach (var data in c.Arguments.Skip(1))
        {
            var result = Input(member, "", node => node.Propose(Encoding.UTF8.GetBytes(data)));
            Emit(result.IsAccepted
                ? $"{data}: accepted at {result.Term}/{result.Index}"
                : $"{data}: refused {result.Status}" + (result.LeaderHint != 0 ? $" (leader {result.LeaderHint})" : ""));
        }
    }

    /// <summary><c>read-index ID NAME...</c>: one read request per name; the names reappear in the read states.</summary>
    private void ReadIndex(ScenarioCommand c)
    {
        var member = Live(c.Id(0));
        foreach (var name in c.Arguments.Skip(1))
        {
            if (!_readIds.TryGetValue(name, out var requestId))
            {
                requestId = (ulong)_readIds.Count + 1;
                _readIds[name] = requestId;
                _readNames[requestId] = name;
            }

            var status = Input(member, "", node => node.ReadIndex(requestId));
            Emit($"{name}: {status}");
        }
    }

    private void TransferLeadership(ScenarioCommand c)
    {
        var target = c.Id(1);
        var status = Input(Live(c.Id(0)), "", node => node.TransferLeadership(target));
        Emit(status.ToString());
    }

    /// <summary><c>compact ID INDEX</c>: the member snapshots its state machine at INDEX (already applied) and drops the log before it.</summary>
    private void Compact(ScenarioCommand c)
    {
        var member = Live(c.Id(0));
        var index = ulong.Parse(c.Argument(1), CultureInfo.InvariantCulture);
        if (index > member.AppliedIndex)
        {
            throw new FormatException($"Member {member.Id} cannot snapshot at {index}: it has applied only {member.AppliedIndex}.");
        }

        var snapshot = member.Storage.CreateSnapshot(index, member.Node.ConfigurationAt(index), member.SnapshotData(index));
        Emit($"{member.Id}: snapshot {TraceFormat.Snapshot(snapshot)}; log {member.Storage.FirstIndex}..{member.Storage.LastIndex}");
    }

    /// <summary><c>crash ID</c>: the member stops, losing whatever it had not persisted; messages queued for it are lost.</summary>
    private void Crash(ScenarioCommand c)
    {
        var member = Live(c.Id(0));
        var node = member.Node;
        member.Down = true;
        var lost = new List<string>();
        var persisted = member.Storage.HardState;
        if (persisted.Term != node.Term || persisted.Vote != node.Vote)
        {
            lost.Add($"term={node.Term} vote={node.Vote} (persisted term={persisted.Term} vote={persisted.Vote})");
        }

        if (node.LastIndex != member.Storage.LastIndex)
        {
            lost.Add($"log up to {node.LastIndex} (persisted up to {member.Storage.LastIndex})");
        }

        var queued = Inbox(member.Id).Count;
        Inbox(member.Id).Clear();
        if (queued > 0)
        {
            lost.Add($"{queued} queued message(s)");
        }

        Emit($"{member.Id} crashes" + (lost.Count > 0 ? "; lost " + string.Join(", ", lost) : ""));
    }

    /// <summary>
    /// <c>restart ID</c>: the member starts from its persisted state; its state machine restarts from the snapshot.
    /// Messages queued for it while it was down are lost.
    /// </summary>
    private void Restart(ScenarioCommand c)
    {
        var member = Get(c.Id(0));
        if (!member.Down)
        {
            throw new FormatException($"Member {member.Id} is not down.");
        }

        member.Down = false;
        member.RestoreStateMachine(member.Storage.Snapshot);
        Start(member);
        var node = member.Node;
        Emit($"{member.Id} restarts: term={node.Term} vote={node.Vote} commit={node.CommitIndex} applied={node.AppliedIndex} " +
             $"log={node.Log.FirstIndex}..{node.LastIndex} election-timeout={node.RandomizedElectionTimeout}");

        // What was sent to the member while it was down never reached it.
        var missed = Inbox(member.Id);
        if (missed.Count > 0)
        {
            Emit($"  lost {missed.Count} message(s) sent while it was down");
            missed.Clear();
        }
    }

    /// <summary><c>partition 1 2/3</c>: groups separated by spaces, members of a group by '/'; members not named form one more group.</summary>
    private void Partition(ScenarioCommand c)
    {
        _blocked.Clear();
        var groups = c.Arguments.Select(g => g.Split('/').Select(ScenarioCommand.ParseId).ToHashSet()).ToList();
        var rest = _members.Keys.Where(id => !groups.Any(g => g.Contains(id))).ToHashSet();
        if (rest.Count > 0)
        {
            groups.Add(rest);
        }

        foreach (var group in groups)
        {
            foreach (var from in group)
            {
                foreach (var to in _members.Keys.Where(id => !group.Contains(id)))
                {
                    _blocked.Add((from, to));
                }
            }
        }

        Emit("groups: " + string.Join(" | ", groups.Select(g => string.Join(" ", g.Order()))));
    }

    /// <summary>
    /// <c>deliver [ID...] [rounds=N] [quiet=true]</c>: in rounds, the named members (all by default) each handle one Ready,
    /// then each receive their queued messages; until nothing moves, or after N rounds. Messages to members outside the
    /// scope stay queued. Quiet prints only the final state.
    /// </summary>
    private void Deliver(ScenarioCommand c)
    {
        var scope = c.Arguments.Count > 0 ? c.Arguments.Select(ScenarioCommand.ParseId).Order().ToArray() : _members.Keys.ToArray();
        var rounds = c.IntOption("rounds", 0);
        var quiet = c.BoolOption("quiet", false);
        _quiet = quiet;
        try
        {
            Stabilize(scope, rounds);
        }
        finally
        {
            _quiet = false;
        }

        if (quiet)
        {
            foreach (var id in scope)
            {
                Emit(StateLine(Get(id)));
            }
        }
    }

    /// <summary><c>process ID...</c>: each member handles one Ready, if it has one.</summary>
    private void Process(ScenarioCommand c)
    {
        foreach (var id in c.Arguments.Select(ScenarioCommand.ParseId))
        {
            if (!ProcessReady(Live(id)))
            {
                Emit($"> {id} has no Ready");
            }
        }
    }

    /// <summary>
    /// <c>receive ID... [from=ID] [type=Append] [count=N]</c>: each member steps its queued messages that match, in order
    /// (only the first N of them if a count is given).
    /// </summary>
    private void ReceiveCommand(ScenarioCommand c)
    {
        var filter = MessageFilter(c);
        var count = c.IntOption("count", int.MaxValue);
        foreach (var to in c.Arguments.Select(ScenarioCommand.ParseId))
        {
            if (!Receive(to, filter, count))
            {
                Emit($"> {to} has no matching message");
            }
        }
    }

    /// <summary><c>drop ID... [from=ID] [type=Append]</c>: the matching messages queued for the members are lost.</summary>
    private void Drop(ScenarioCommand c)
    {
        var filter = MessageFilter(c);
        foreach (var to in c.Arguments.Select(ScenarioCommand.ParseId))
        {
            var inbox = Inbox(to);
            foreach (var message in inbox.Where(filter))
            {
                Emit($"dropped {TraceFormat.Message(message)}");
            }

            inbox.RemoveAll(m => filter(m));
        }
    }

    private static Func<Message, bool> MessageFilter(ScenarioCommand c)
    {
        var from = c.Option("from") is { } f ? ScenarioCommand.ParseId(f) : 0;
        MessageType? type = c.Option("type") is { } t ? Enum.Parse<MessageType>(t) : null;
        return m => (from == 0 || m.From == from) && (type is null || m.Type == type);
    }

    private void Queued()
    {
        foreach (var inbox in _inboxes.Values)
        {
            foreach (var message in inbox)
            {
                Emit(TraceFormat.Message(message));
            }
        }
    }

    private static bool SnapshotOutcome(string text) => text switch
    {
        "ok" => true,
        "failed" => false,
        _ => throw new FormatException($"A snapshot report is `ok` or `failed`, not `{text}`."),
    };
}
