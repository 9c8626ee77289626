namespace OrleansRaft.KeyValue;

/// <summary>
/// Opens a client session (Raft thesis §6.3). Its id is the log index of this command. Commands stamped with the
/// session and a sequence number apply at most once: a retry returns the first result.
/// </summary>
public sealed class OpenSessionRequest : KvRequest
{
    internal override KvRequestKind Kind => KvRequestKind.OpenSession;
}

/// <summary>Closes a client session and drops the results it holds.</summary>
public sealed class CloseSessionRequest : KvRequest
{
    public CloseSessionRequest(ulong sessionId)
    {
        SessionId = sessionId;
    }

    public ulong SessionId { get; }

    internal override KvRequestKind Kind => KvRequestKind.CloseSession;
}
