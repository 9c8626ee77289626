using OrleansRaft.KeyValue;

namespace OrleansRaft.Etcd.Auth;

/// <summary>
/// Who makes a gateway call, as the store is told: a user the gateway authenticated (a token, or a client certificate's
/// common name), a token the gateway does not know, or nobody. The store decides what each may do while auth is
/// enabled, and ignores the caller while it is disabled (as etcd ignores tokens then).
/// </summary>
internal readonly record struct EtcdCaller(string? User, ulong AuthRevision, bool UnknownToken)
{
    public static readonly EtcdCaller Anonymous = default;

    /// <summary>The metadata key etcd's clients send their token under.</summary>
    public const string TokenHeader = "token";

    /// <summary>Stands for a user authenticated by certificate: no token revision can predate it.</summary>
    public const ulong CertificateRevision = AsUserRequest.CertifiedRevision;

    public KvRequest Wrap(KvRequest request) => User is { } user ? new AsUserRequest(user, AuthRevision, request)
        : UnknownToken ? AsUserRequest.InvalidToken(request)
        : request;
}
