namespace OrleansRaft.KeyValue;

public sealed class SessionOpenedResult(long revision, ulong sessionId) : KvResult(revision)
{
    public ulong SessionId { get; } = sessionId;

    internal override KvResultKind Kind => KvResultKind.SessionOpened;
}

public sealed class SessionClosedResult(long revision, ulong sessionId) : KvResult(revision)
{
    public ulong SessionId { get; } = sessionId;

    internal override KvResultKind Kind => KvResultKind.SessionClosed;
}
