namespace OrleansRaft.KeyValue;

/// <summary>
/// A command's place in its client session. <see cref="Sequence"/> numbers the client's commands from 1;
/// <see cref="AcknowledgedBelow"/> tells that the client holds the results of every sequence below it, so the state
/// machine may drop them. It must not exceed <see cref="Sequence"/>.
/// </summary>
public readonly record struct SessionStamp(ulong SessionId, ulong Sequence, ulong AcknowledgedBelow);

/// <summary>What is proposed to the log: a request, and the client session it belongs to if any.</summary>
public sealed class KvCommand
{
    public KvCommand(KvRequest request, SessionStamp? session = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        Request = request;
        Session = session;
    }

    public KvRequest Request { get; }

    public SessionStamp? Session { get; }
}
