using OrleansRaft.KeyValue;

namespace OrleansRaft.Client;

/// <summary>The store refused a request (an <see cref="ErrorResult"/>); nothing changed.</summary>
public sealed class KvRequestException : Exception
{
    public KvRequestException(ErrorResult error)
        : base($"{error.Code}: {error.Message}")
    {
        Code = error.Code;
        Revision = error.Revision;
    }

    public KvErrorCode Code { get; }

    /// <summary>The store's revision when it refused.</summary>
    public long Revision { get; }
}
