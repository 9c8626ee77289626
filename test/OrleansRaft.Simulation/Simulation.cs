using OrleansRaft.Core;

namespace OrleansRaft.Simulation;

/// <summary>
/// One deterministic run: members, network, clients and faults, all driven by one seeded random source in
/// discrete time. The same <see cref="SimulationConfig"/> replays bit for bit; <see cref="SimulationResult.TraceHash"/>
/// summarizes everything that was delivered, so two runs can be compared exactly.
/// </summary>
public sealed partial class Simulation
{
    /// <summary>Time a client waits for an outcome before it gives up and records the operation as unknown.</summary>
    private const int ClientTimeout = 600;

    /// <summary>After the faulty phase: time during which clients keep working on a healed network.</summary>
    private const int QuietPeriod = 1500;

    /// <summary>Then, the bound on the time the members may take to elect a leader and converge.</summary>
    private const int ConvergenceBound = 30000;

    private readonly SimulationConfig _config;
    private readonly Random _random;
    private readonly SimulationParameters _parameters;
    private readonly List<SimNode> _nodes = [];
    private readonly SimNetwork _network;
    private readonly Invariants _invariants;
    private readonly List<SimClient> _clients = [];
    private readonly List<ClientOperation> _history = [];
    private readonly NodeEnvironment _environment;
    private long _now;
    private int _nextClientId;
    private int _nextValue;
    private ulong _traceHash = 14695981039346656037UL;
    private bool _faultsOn = true;
    private bool _clientsOn = true;

    public Simulation(SimulationConfig config)
    {
        if (config.Nodes is not (3 or 5))
        {
            throw new ArgumentException($"A simulation runs 3 or 5 members, not {config.Nodes}.");
        }

        _config = config;
        _random = new Random(unchecked((int)config.Seed ^ (int)(config.Seed >> 32)));
        _quietRandom = new Random(unchecked((int)config.Seed * 31 + 17));
        _parameters = SimulationParameters.Draw(_random, config.Faults);
        _network = new SimNetwork(_random, _parameters);
        var configuration = new MembershipConfiguration(Enumerable.Range(1, config.Nodes).Select(i => (ulong)i));
        _invariants = new Invariants(_nodes);
        _invariants.SetInitialConfiguration(configuration);
        _environment = new NodeEnvironment(_random, _parameters, _network, _invariants, Complete, OnApplied, config.ServeReadsLocally);
        foreach (var id in configuration.Voters)
        {
            var node = new SimNode(id, configuration, _environment);
            node.Start(Options(id));
            _nodes.Add(node);
        }

        for (var i = 0; i < _parameters.Clients; i++)
        {
            _clients.Add(new SimClient(_nextClientId++) { NextActionAt = _random.Next(100) });
        }

        // Drawn last, so that a run without membership changes draws exactly what it always did.
        // With overlapping changes injected, changes come fast enough to overlap: that is the bug to catch.
        _membershipEvery = !config.Membership ? 0 : (config.Bugs & InjectedBugs.OverlappingConfigurationChanges) != 0 ? _random.Next(2, 30) : _random.Next(40, 400);
    }

    /// <summary>The operations the clients performed, complete or not, for the linearizability check.</summary>
    public IReadOnlyList<ClientOperation> History => _history;

    public SimulationResult Run()
    {
        try
        {
            Trace($"parameters {_parameters}");
            for (; _now < _config.Duration; _now++)
            {
                Step();
            }

            // Heal everything and stop injecting faults: the group must recover, and then the clients stop so
            // that every member can converge.
            _faultsOn = false;
            _network.Heal();
            if (_config.Quiescence)
            {
                CheckQuietFailover();
            }

            foreach (var node in _nodes.Where(n => !n.Up && !n.Retired))
            {
                Restart(node);
            }

            var end = _now + QuietPeriod;
            for (; _now < end; _now++)
            {
                Step();
            }

            _clientsOn = false;
            end = _now + ConvergenceBound;
            for (; _now < end && !Converged(); _now++)
            {
                Step();
            }

            CheckLiveness();
            _invariants.CheckDurability(1);
            CheckLinearizability();
            return Result(null, null);
        }
        catch (PropertyViolation violation)
        {
            Trace($"VIOLATION {violation.Property}: {violation.Detail}");
            return Result(violation.Property, violation.Detail);
        }
    }

    private SimulationResult Result(string? property, string? detail) =>
        new(_config.Seed, property, detail, _now, _network.Delivered, _invariants.CommittedCount, _history.Count, _traceHash);

    private void Step()
    {
        if (_faultsOn)
        {
            InjectFaults();
        }

        if (_membershipEvery > 0)
        {
            StepMembership();
        }

        foreach (var node in _nodes)
        {
            if (node.Up && (_now + (long)node.Id) % _parameters.TickInterval == 0)
            {
                node.Raft.Tick();
                MaybeQuiesce(node);
            }
        }

        if (_config.Quiescence)
        {
            StepLiveness();
        }

        while (_network.TryReceive(_now, out var message))
        {
            var to = _nodes[(int)message.To - 1];
            if (!to.Up)
            {
                continue;
            }

            Mix(message);
            var commit = to.Raft.CommitIndex;
            var wasLeader = to.Raft.Role == RaftRole.Leader;
            to.Raft.Step(message);
            var isLeader = to.Raft.Role == RaftRole.Leader;
            if (isLeader && (!wasLeader || to.Raft.CommitIndex > commit))
            {
                // Check at once, before a crash can hide what this message did.
                _invariants.CheckStep();
                _invariants.CheckCommittedEntriesAreSafe();
                if (_faultsOn)
                {
                    MaybeCrashAtTurningPoint(to);
                }
            }
        }

        if (_clientsOn)
        {
            StepClients();
        }

        foreach (var node in _nodes)
        {
            if (node.Up)
            {
                node.Pump(_now);
            }
        }

        _invariants.CheckStep();
        _invariants.CheckCommittedEntriesAreSafe();
        if (_now % 50 == 0)
        {
            _invariants.CheckDurability(_invariants.HighestCommitted > 200 ? _invariants.HighestCommitted - 200 : 1);
        }
    }

    private RaftOptions Options(ulong id) => new()
    {
        Id = id,
        ElectionTicks = 10,
        HeartbeatTicks = 1,
        PreVote = _parameters.PreVote,
        CheckQuorum = _parameters.CheckQuorum,
        MaxSizePerMessage = _parameters.MaxSizePerMessage,
        MaxInflightMessages = _parameters.MaxInflight,
        Random = new Random(_random.Next()),
        InjectedBugs = _config.Bugs,
    };

    private void Restart(SimNode node)
    {
        node.Start(Options(node.Id));
        _invariants.OnRestart(node);
        Trace($"restart {node.Id}");
    }

    /// <summary>
    /// The members that count for liveness: those not deleted, and in the configuration in force in their own log
    /// (a removed member awaiting deletion, or one whose addition was rolled back, is not expected to keep up).
    /// Without membership changes, every member.
    /// </summary>
    private IEnumerable<SimNode> Members => _nodes.Where(n => !n.Retired && n.Raft.Configuration.Contains(n.Id));

    /// <summary>A leader leads, and every member has applied everything committed in its term.</summary>
    private bool Converged()
    {
        var leader = Members.FirstOrDefault(n => n.Raft.Role == RaftRole.Leader);
        return leader is not null &&
               leader.Raft.Log.TermOrZero(leader.Raft.CommitIndex) == leader.Raft.Term &&
               _nodes.Where(n => !n.Retired && leader.Raft.Configuration.Contains(n.Id)).All(n => n.Machine.AppliedIndex == leader.Raft.LastIndex);
    }

    private void CheckLiveness()
    {
        var leader = Members.FirstOrDefault(n => n.Raft.Role == RaftRole.Leader);
        if (leader is null)
        {
            throw new PropertyViolation("Liveness", $"no leader {QuietPeriod + ConvergenceBound} time units after the faults stopped");
        }

        var members = _nodes.Where(n => !n.Retired && leader.Raft.Configuration.Contains(n.Id)).ToList();
        var highest = members.Max(n => n.Raft.LastIndex);
        var behind = members.FirstOrDefault(n => n.Machine.AppliedIndex != highest);
        if (behind is not null)
        {
            throw new PropertyViolation(
                "Liveness",
                $"member {behind.Id} applied {behind.Machine.AppliedIndex} of {highest} {QuietPeriod + ConvergenceBound} time units after the faults stopped");
        }
    }

    private void Trace(string text)
    {
        _config.Trace?.Invoke($"[{_now}] {text}");
    }

    private void Mix(Message message)
    {
        unchecked
        {
            _traceHash = (_traceHash ^ ((ulong)message.Type | message.From << 8 | message.To << 16)) * 1099511628211UL;
            _traceHash = (_traceHash ^ message.Term ^ (message.Index << 20) ^ ((ulong)message.Entries.Length << 40) ^ (ulong)_now) * 1099511628211UL;
        }

        if (_config.Trace is not null)
        {
            Trace(message.ToString());
        }
    }
}
