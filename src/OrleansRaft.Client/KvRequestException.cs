using OrleansRaft.KeyValue;

namespace OrleansRaft.Client;

/// <summary>The store refused a request (an <see cref="ErrorResult"/>); nothing changed.</summary>
[GenerateSerializer, Alias("orleansraft.kv-request-refused")]
public sealed class KvRequestException : Exception
{
    public KvRequestException(ErrorResult error)
        : base($"{error.Code}: {error.Message}")
    {
        Code = error.Code;
        Revision = error.Revision;
    }

    [Id(0)]
    public KvErrorCode Code { get; }

    /// <summary>The store's revision when it refused.</summary>
    [Id(1)]
    public long Revision { get; }
}
