using OrleansRaft.Core.Log;
using OrleansRaft.Core.Tracking;

namespace OrleansRaft.Core;

/// <summary>
/// One Raft member as a synchronous state machine. Feed it time (<see cref="Tick"/>), messages (<see cref="Step"/>)
/// and requests (<see cref="Propose"/>, <see cref="ReadIndex"/>, <see cref="TransferLeadership"/>); then drain its
/// output with <see cref="HasReady"/>, <see cref="GetReady"/> and <see cref="Advance"/>. It does no I/O, reads no
/// clock, starts no thread and is not thread-safe: drive it from one logical thread.
/// </summary>
public sealed partial class RaftNode
{
    /// <summary>The <see cref="Message.Context"/> of a vote request that comes from a leadership transfer.</summary>
    internal const ulong TransferContext = 1;

    private readonly RaftOptions _options;
    private readonly RaftLog _log;
    private readonly ProgressTracker _tracker;
    private readonly List<Message> _messages = [];
    private readonly List<ReadState> _readStates = [];
    private readonly List<Entry> _scratch = [];

    private int _electionElapsed;
    private int _heartbeatElapsed;
    private int _randomizedElectionTimeout;
    private ulong _leadTransferee;
    private ulong _uncommittedSize;

    /// <summary>Set when followers should be sent what they are missing (new entries or a new commit index) at the next Ready.</summary>
    private bool _broadcastPending;

    private HardState _previousHardState;
    private SoftState _previousSoftState;
    private OutstandingReady? _outstanding;

    public RaftNode(RaftOptions options, IRaftLogReader storage)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(storage);
        options.Validate();
        _options = options;
        Id = options.Id;
        _log = new RaftLog(storage, options.MaxCommittedSizePerReady);
        _tracker = new ProgressTracker(options.MaxInflightMessages);

        var initial = storage.InitialState();
        _log.InitializeConfigurations(initial.Configuration);
        _tracker.SetConfiguration(_log.Configurations.Current, _log.LastIndex + 1);
        _notAVoter = !_tracker.Configuration.IsVoter(Id);
        var hardState = initial.HardState;
        if (hardState.Commit > _log.LastIndex)
        {
            throw new InvalidOperationException(
                $"The persisted commit index {hardState.Commit} is past the last persisted index {_log.LastIndex}: the log is corrupt.");
        }

        Term = hardState.Term;
        Vote = hardState.Vote;
        _log.CommitTo(hardState.Commit);
        _log.InitializeApplied(options.Applied);
        BecomeFollower(Term, 0);
        _previousHardState = CurrentHardState;
        _previousSoftState = CurrentSoftState;
        _previousConfiguration = _tracker.Configuration;
        _previousAppliedConfiguration = _log.Configurations.At(_log.Applied);
    }

    public ulong Id { get; }

    public ulong Term { get; private set; }

    /// <summary>The member voted for in <see cref="Term"/>, or 0.</summary>
    public ulong Vote { get; private set; }

    /// <summary>The leader of <see cref="Term"/> as far as this member knows, or 0.</summary>
    public ulong Leader { get; private set; }

    public RaftRole Role { get; private set; }

    public ulong CommitIndex => _log.Committed;

    public ulong AppliedIndex => _log.Applied;

    public ulong LastIndex => _log.LastIndex;

    public MembershipConfiguration Configuration => _tracker.Configuration;

    /// <summary>The member a leadership transfer is handing over to, or 0.</summary>
    public ulong LeadTransferee => _leadTransferee;

    internal RaftLog Log => _log;

    internal ProgressTracker Tracker => _tracker;

    internal int RandomizedElectionTimeout => _randomizedElectionTimeout;

    private HardState CurrentHardState => new(Term, Vote, _log.Committed);

    private SoftState CurrentSoftState => new(Leader, Role);

    /// <summary>True if this member may campaign: it is a voter of the configuration in force in its log.</summary>
    public bool IsPromotable => _tracker.Configuration.IsVoter(Id);

    /// <summary>Advances logical time by one tick: followers count towards an election, leaders towards a heartbeat.</summary>
    public void Tick()
    {
        if (IsQuiescent)
        {
            return;
        }

        if (Role == RaftRole.Leader)
        {
            TickLeader();
        }
        else
        {
            TickElection();
        }
    }

    /// <summary>Starts an election now, as if the election timeout had passed (with pre-vote when enabled).</summary>
    public void Campaign()
    {
        Unquiesce();
        Hup(transfer: false);
    }

    /// <summary>A snapshot message to <paramref name="to"/> was delivered (or failed); the transport reports this.</summary>
    public void ReportSnapshot(ulong to, bool succeeded)
    {
        if (Role != RaftRole.Leader || !_tracker.Progress.TryGetValue(to, out var progress) || progress.State != ReplicationState.Snapshot)
        {
            return;
        }

        if (!succeeded)
        {
            // Forget the snapshot in flight; the next probe finds out what the follower needs.
            progress.BecomeProbe();
            progress.Next = progress.Match + 1;
        }
        else
        {
            progress.BecomeProbe();
        }

        // Wait for the follower's answer (or a heartbeat response) before probing again.
        progress.ProbeSent = true;
    }

    /// <summary>The transport could not reach <paramref name="to"/>: stop sending optimistically until it answers.</summary>
    public void ReportUnreachable(ulong to)
    {
        if (Role == RaftRole.Leader && _tracker.Progress.TryGetValue(to, out var progress) && progress.State == ReplicationState.Replicate)
        {
            progress.BecomeProbe();
        }
    }

    /// <summary>A consistent picture of this member, for logs, tests and operators.</summary>
    public RaftStatus GetStatus() => new(
        Id,
        Term,
        Vote,
        Leader,
        Role,
        _log.Committed,
        _log.Applied,
        _log.FirstIndex,
        _log.LastIndex,
        _tracker.Configuration,
        Role == RaftRole.Leader
            ? _tracker.Progress.ToDictionary(p => p.Key, p => new ReplicationProgress(p.Value.Match, p.Value.Next, p.Value.State))
            : new Dictionary<ulong, ReplicationProgress>());

    private void Send(Message message) => _messages.Add(message);

    private void ResetRandomizedElectionTimeout() =>
        _randomizedElectionTimeout = _options.ElectionTicks + _options.Random.Next(_options.ElectionTicks);
}
