using OrleansRaft.KeyValue;

namespace OrleansRaft.Etcd.Auth;

/// <summary>
/// Who makes a gateway call, as the store is told: a user the gateway authenticated (a token, or a client certificate's
/// common name), a token the gateway does not know, or nobody. The store decides what each may do while auth is
/// enabled, and ignores the caller while it is disabled (as etcd ignores tokens then).
/// </summary>
/// <remarks>
/// The silos admit a request naming a user only with a cluster token of that user (<see cref="KvTokenSigner"/>): the
/// gateway, holding the cluster's token key (<see cref="Signer"/>, the silo's), vouches for the users it authenticated
/// by making one for each request it sends. A gateway without the key can send no user's request: the silo answers
/// <c>invalid auth token</c>.
/// </remarks>
internal readonly record struct EtcdCaller(string? User, ulong AuthRevision, bool UnknownToken, string GroupId = "", KvTokenSigner? Signer = null)
{
    public static readonly EtcdCaller Anonymous = default;

    /// <summary>The metadata key etcd's clients send their token under.</summary>
    public const string TokenHeader = "token";

    /// <summary>Stands for a user authenticated by certificate: no token revision can predate it.</summary>
    public const ulong CertificateRevision = AsUserRequest.CertifiedRevision;

    public KvRequest Wrap(KvRequest request) => User is { } user
        ? new AsUserRequest(user, AuthRevision, request) { Proof = Signer?.Issue(GroupId, user, AuthRevision).Token }
        : UnknownToken ? AsUserRequest.InvalidToken(request)
        : request;
}
