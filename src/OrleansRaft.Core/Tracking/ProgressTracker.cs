namespace OrleansRaft.Core.Tracking;

/// <summary>The outcome of counting votes.</summary>
internal enum VoteResult
{
    Pending,
    Won,
    Lost,
}

/// <summary>
/// The membership in force, the leader's progress for every member, and the votes of the current election.
/// Quorum means a strict majority of the voters; learners are tracked but never counted.
/// </summary>
internal sealed class ProgressTracker
{
    private readonly Dictionary<ulong, bool> _votes = [];
    private readonly int _maxInflight;
    private ulong[] _scratch = [];

    public ProgressTracker(int maxInflight)
    {
        _maxInflight = maxInflight;
        Configuration = MembershipConfiguration.Empty;
    }

    public MembershipConfiguration Configuration { get; private set; }

    /// <summary>Progress by member id, this member included. Sorted so that broadcasts go out in a stable order.</summary>
    public SortedDictionary<ulong, Progress> Progress { get; } = [];

    public int QuorumSize => Configuration.Voters.Count / 2 + 1;

    public void SetConfiguration(MembershipConfiguration configuration, ulong nextIndex)
    {
        Configuration = configuration;
        Progress.Clear();
        foreach (var id in configuration.Voters)
        {
            Progress[id] = new Progress(nextIndex, _maxInflight, isLearner: false);
        }

        foreach (var id in configuration.Learners)
        {
            Progress[id] = new Progress(nextIndex, _maxInflight, isLearner: true);
        }

        _scratch = new ulong[configuration.Voters.Count];
    }

    /// <summary>
    /// Puts <paramref name="configuration"/> in force and keeps what is known of the members that stay: a member
    /// promoted from learner keeps its progress, a removed one is forgotten, and a new one starts probing at
    /// <paramref name="nextIndex"/>. A new member counts as recently active, so that check-quorum does not count
    /// it against the leader before it had a chance to answer.
    /// </summary>
    public void ChangeConfiguration(MembershipConfiguration configuration, ulong nextIndex)
    {
        Configuration = configuration;
        List<ulong>? removed = null;
        foreach (var (id, _) in Progress)
        {
            if (!configuration.Contains(id))
            {
                (removed ??= []).Add(id);
            }
        }

        foreach (var id in removed ?? [])
        {
            Progress.Remove(id);
            _votes.Remove(id);
        }

        foreach (var id in configuration.Voters.Concat(configuration.Learners))
        {
            var isLearner = configuration.IsLearner(id);
            if (Progress.TryGetValue(id, out var progress))
            {
                progress.IsLearner = isLearner;
            }
            else
            {
                Progress[id] = new Progress(nextIndex, _maxInflight, isLearner) { RecentActive = true };
            }
        }

        _scratch = new ulong[configuration.Voters.Count];
    }

    /// <summary>Resets every member's progress for a new term, as a new leader or as a non-leader.</summary>
    public void ResetProgress(ulong nextIndex)
    {
        foreach (var (_, progress) in Progress)
        {
            progress.Reinitialize(nextIndex);
        }
    }

    /// <summary>The highest index replicated on a quorum of voters.</summary>
    public ulong QuorumMatchIndex() => QuorumValue(p => p.Match);

    /// <summary>The highest ReadIndex round acknowledged by a quorum of voters.</summary>
    public ulong QuorumReadRound() => QuorumValue(p => p.AckedReadRound);

    private ulong QuorumValue(Func<Progress, ulong> value)
    {
        var voters = Configuration.Voters;
        if (voters.Count == 0)
        {
            return 0;
        }

        for (var i = 0; i < voters.Count; i++)
        {
            _scratch[i] = value(Progress[voters[i]]);
        }

        // Sorted descending, the value at position quorum-1 is held by at least a quorum.
        Array.Sort(_scratch);
        return _scratch[voters.Count - QuorumSize];
    }

    /// <summary>True if a quorum of voters, <paramref name="self"/> included, was heard from recently.</summary>
    public bool QuorumActive(ulong self)
    {
        var active = 0;
        foreach (var id in Configuration.Voters)
        {
            if (id == self || Progress[id].RecentActive)
            {
                active++;
            }
        }

        return active >= QuorumSize;
    }

    public void ResetVotes() => _votes.Clear();

    public void RecordVote(ulong id, bool granted) => _votes.TryAdd(id, granted);

    public VoteResult TallyVotes()
    {
        int granted = 0, rejected = 0;
        foreach (var id in Configuration.Voters)
        {
            if (_votes.TryGetValue(id, out var vote))
            {
                if (vote)
                {
                    granted++;
                }
                else
                {
                    rejected++;
                }
            }
        }

        if (granted >= QuorumSize)
        {
            return VoteResult.Won;
        }

        return Configuration.Voters.Count - rejected < QuorumSize ? VoteResult.Lost : VoteResult.Pending;
    }
}
