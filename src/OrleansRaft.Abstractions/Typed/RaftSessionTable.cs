namespace OrleansRaft.Abstractions;

/// <summary>
/// The client sessions of a typed group (Raft thesis §6.3), as replicated state: a command stamped with
/// (session, sequence) runs once, and a retry that reaches the log again gets the first answer. Deterministic: every
/// member, and every subscriber that replays the log through <see cref="Apply"/>, makes the same decisions.
/// </summary>
/// <remarks>
/// A session's id is the index of the entry that opened it. Answers stay until the client acknowledges them or
/// <see cref="RaftSessionLimits.MaxResultsPerSession"/> drops the lowest; a sequence below the session's floor is
/// refused (<see cref="RaftResponseStatus.SequenceDiscarded"/>). Sessions end when closed, or when evicted (least
/// recently used) to make room for a new one; a command of an unknown session is refused, never run, since it may
/// have run before.
/// </remarks>
[GenerateSerializer, Alias("orleansraft.session-table")]
public sealed class RaftSessionTable
{
    public RaftSessionTable(RaftSessionLimits? limits = null)
    {
        Limits = limits ?? RaftSessionLimits.Default;
        Limits.Validate();
    }

    [Id(0)]
    public RaftSessionLimits Limits { get; private set; }

    [Id(1)]
    private Dictionary<ulong, RaftSession> _sessions = [];

    public int Count => _sessions.Count;

    /// <summary>
    /// Applies the entry at <paramref name="index"/>: opens or closes a session, or runs a command through
    /// <paramref name="execute"/> unless its session already answered it, and returns the answer.
    /// </summary>
    public RaftResponse Apply(ulong index, RaftEnvelope envelope, Func<ReadOnlyMemory<byte>, RaftResponse> execute)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(execute);
        switch (envelope.Kind)
        {
            case RaftEnvelopeKind.OpenSession:
                Open(index);
                return new RaftResponse(RaftResponseStatus.SessionOpened, default, index, null);
            case RaftEnvelopeKind.CloseSession:
                return _sessions.Remove(envelope.SessionId)
                    ? new RaftResponse(RaftResponseStatus.SessionClosed, default, envelope.SessionId, null)
                    : RaftResponse.Refused(RaftResponseStatus.SessionExpired, $"session {envelope.SessionId} is unknown, closed or expired");
            case RaftEnvelopeKind.Command when envelope.SessionId == 0:
                return execute(envelope.Payload);
            case RaftEnvelopeKind.Command:
                return InSession(index, envelope, execute);
            default:
                return RaftResponse.Refused(RaftResponseStatus.Undecodable, $"entry {index} has the unknown kind {(byte)envelope.Kind}");
        }
    }

    /// <summary>A copy that keeps which sequences each session answered but not the answers: what a subscriber needs.</summary>
    public RaftSessionTable WithoutResults()
    {
        var copy = new RaftSessionTable(Limits);
        foreach (var (id, session) in _sessions)
        {
            var stripped = new RaftSession(id) { Floor = session.Floor, LastUsedIndex = session.LastUsedIndex };
            foreach (var sequence in session.Results.Keys)
            {
                stripped.Results.Add(sequence, Answered);
            }

            copy._sessions.Add(id, stripped);
        }

        return copy;
    }

    private static readonly RaftResponse Answered = RaftResponse.Ok(default);

    private RaftResponse InSession(ulong index, RaftEnvelope envelope, Func<ReadOnlyMemory<byte>, RaftResponse> execute)
    {
        if (envelope.Sequence == 0 || envelope.AcknowledgedBelow > envelope.Sequence)
        {
            return RaftResponse.Refused(
                RaftResponseStatus.InvalidArgument,
                $"a session stamp needs a sequence from 1 and acknowledges at most up to it (got {envelope.Sequence}, {envelope.AcknowledgedBelow})");
        }

        if (!_sessions.TryGetValue(envelope.SessionId, out var session))
        {
            return RaftResponse.Refused(RaftResponseStatus.SessionExpired, $"session {envelope.SessionId} is unknown, closed or expired");
        }

        if (envelope.Sequence < session.Floor)
        {
            return RaftResponse.Refused(
                RaftResponseStatus.SequenceDiscarded, $"session {envelope.SessionId} no longer holds the answer of sequence {envelope.Sequence}");
        }

        session.LastUsedIndex = index;
        if (!session.Results.TryGetValue(envelope.Sequence, out var response))
        {
            response = execute(envelope.Payload);
            session.Results.Add(envelope.Sequence, response);
        }

        Trim(session, envelope.AcknowledgedBelow);
        return response;
    }

    private void Open(ulong index)
    {
        if (_sessions.Count >= Limits.MaxSessions)
        {
            // Ties cannot occur (one use per index), but the id breaks them anyway so that no order of the dictionary matters.
            var oldest = _sessions.Values.MinBy(s => (s.LastUsedIndex, s.Id))!;
            _sessions.Remove(oldest.Id);
        }

        _sessions[index] = new RaftSession(index) { Floor = 1, LastUsedIndex = index };
    }

    private void Trim(RaftSession session, ulong acknowledgedBelow)
    {
        if (acknowledgedBelow > session.Floor)
        {
            session.Floor = acknowledgedBelow;
        }

        while (session.Results.Count > 0 && (session.Results.Keys.First() < session.Floor || session.Results.Count > Limits.MaxResultsPerSession))
        {
            var lowest = session.Results.Keys.First();
            session.Results.Remove(lowest);
            session.Floor = Math.Max(session.Floor, lowest + 1);
        }
    }
}

/// <summary>One client session: the answers it keeps by sequence, and the lowest sequence it still accepts.</summary>
[GenerateSerializer, Alias("orleansraft.typed-session")]
public sealed class RaftSession(ulong id)
{
    [Id(0)]
    public ulong Id { get; } = id;

    [Id(1)]
    public ulong Floor { get; set; } = 1;

    [Id(2)]
    public ulong LastUsedIndex { get; set; }

    [Id(3)]
    public SortedDictionary<ulong, RaftResponse> Results { get; private set; } = [];
}
