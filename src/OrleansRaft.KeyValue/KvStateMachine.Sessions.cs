namespace OrleansRaft.KeyValue;

/// <summary>
/// Client sessions (Raft thesis §6.3): a command stamped with (session, sequence) applies once; a retry gets the
/// result of the first application, refusals included. Results stay until the client acknowledges them or the
/// session's bound drops them; sessions end when closed, when idle too long on the replicated clock, or when evicted
/// (least recently used) to make room for a new one. A command of an unknown session is refused with
/// <see cref="KvErrorCode.SessionExpired"/>, never applied, because it might have been applied before.
/// </summary>
public sealed partial class KvStateMachine
{
    private KvResult ApplyInSession(ulong index, SessionStamp stamp, KvRequest request)
    {
        if (stamp.SessionId == 0 || stamp.Sequence == 0 || stamp.AcknowledgedBelow > stamp.Sequence)
        {
            return Error(
                KvErrorCode.InvalidArgument,
                $"a session stamp needs a session id and a sequence from 1, and acknowledges at most up to its sequence (got {stamp.SessionId}, {stamp.Sequence}, {stamp.AcknowledgedBelow})");
        }

        if (state.Sessions.Get(stamp.SessionId) is not { } session)
        {
            return Error(KvErrorCode.SessionExpired, $"session {stamp.SessionId} is unknown, closed or expired");
        }

        if (stamp.Sequence < session.Floor)
        {
            return Error(KvErrorCode.SequenceDiscarded, $"session {stamp.SessionId} no longer holds the result of sequence {stamp.Sequence}");
        }

        session.LastUsedIndex = index;
        session.LastUsedMilliseconds = state.Clock.Now;
        if (!session.Results.TryGetValue(stamp.Sequence, out var result))
        {
            result = Execute(index, request);
            session.Results.Add(stamp.Sequence, result);
        }

        session.Trim(stamp.AcknowledgedBelow, limits.MaxResponsesPerSession);
        return result;
    }

    private SessionOpenedResult OpenSession(ulong index)
    {
        if (state.Sessions.Count >= limits.MaxSessions && state.Sessions.LeastRecentlyUsed() is { } oldest)
        {
            state.Sessions.Remove(oldest.Id);
        }

        state.Sessions.Add(new ClientSession(index) { LastUsedIndex = index, LastUsedMilliseconds = state.Clock.Now });
        return new SessionOpenedResult(state.Revision, index);
    }

    private SessionClosedResult CloseSession(CloseSessionRequest request)
    {
        if (!state.Sessions.Remove(request.SessionId))
        {
            throw Fail.With(KvErrorCode.SessionExpired, $"session {request.SessionId} is unknown, closed or expired");
        }

        return new SessionClosedResult(state.Revision, request.SessionId);
    }
}
