using Microsoft.Extensions.Logging;
using OrleansRaft.KeyValue.Hosting.Diagnostics;

namespace OrleansRaft.KeyValue.Hosting;

/// <summary>
/// What a silo checks of a key-value request before its member proposes or serves it: a request that names a user
/// (<see cref="AsUserRequest"/>) is admitted only with a token (<see cref="KvTokenSigner"/>) of this group that names
/// the same user at the same auth revision, so the user the store sees is always one a silo authenticated, never a
/// name a caller chose. Anything else is refused with <see cref="KvErrorCode.InvalidAuthToken"/> before it reaches the
/// log (etcd's <c>invalid auth token</c>, on which clients authenticate again). A request that names no user, or the
/// empty user of a token nobody knows, passes: it can do no more than an anonymous one.
/// </summary>
internal sealed class KvRequestGate(KvTokenSigner? signer, ILogger logger)
{
    public ReadOnlyMemory<byte>? Refuse(string groupId, ReadOnlySpan<byte> request, bool command, string? credential, long revision)
    {
        if (!KvCodec.TryPeekUser(request, command, out var user, out var tokenRevision) || user.Length == 0)
        {
            return null;
        }

        if (signer is not null && signer.TryVerify(credential, groupId, out var proven, out var provenRevision)
            && string.Equals(proven, user, StringComparison.Ordinal) && provenRevision == tokenRevision)
        {
            return null;
        }

        var why = signer is null ? "this silo has no token key (KvAuth:TokenKey or Raft:AdminToken)"
            : credential is null ? "the call carries no token"
            : "its token is not one of this cluster for this group and user, or has expired";
        KvAuthLogMessages.RequestRefused(logger, groupId, user, why);
        return KvCodec.EncodeResult(new ErrorResult(revision, KvErrorCode.InvalidAuthToken,
            $"the request names user {user}, but {why}; authenticate again"));
    }
}
