namespace OrleansRaft.KeyValue;

/// <summary>A refused request, raised by the query methods of <see cref="KvStateMachine"/> and by the codec.</summary>
public sealed class KvException : Exception
{
    public KvException(KvErrorCode code, string message)
        : base(message)
    {
        Code = code;
    }

    public KvErrorCode Code { get; }
}

/// <summary>
/// Builds refusals with messages formatted in the invariant culture: a message is part of a result, results are kept
/// in sessions, and sessions are in the snapshot, so the same refusal must read the same on every member.
/// </summary>
internal static class Fail
{
    public static KvException With(KvErrorCode code, FormattableString message) => new(code, FormattableString.Invariant(message));
}
