using Microsoft.Extensions.Logging;
using OrleansRaft.Client;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.KeyValue.Hosting.Diagnostics;

namespace OrleansRaft.KeyValue.Hosting;

/// <summary>
/// Makes the key-value store's <c>root</c> role an administrator of the cluster (groups, membership): a caller whose
/// token (<see cref="KvTokenSigner"/>) names a user of the admin group (<see cref="KvAuthOptions.AdminGroup"/>) may
/// administer while that group's auth is enabled and the user holds <c>root</c> there, both read linearizably at the
/// moment of the call, so a revoked role, a changed password or auth turned off stops it at once. The admin token
/// stays the bootstrap path (it works whatever the auth state).
/// </summary>
internal sealed class KvAdminAuthorizer(KvSiloAuth auth, IGrainFactory grains, ILogger<KvAdminAuthorizer> logger) : IRaftAdminAuthorizer
{
    public async Task<string?> AuthorizeAsync(string credential, string administeredGroup, IReadOnlyList<ulong>? administeredMembers)
    {
        var group = auth.AdminGroup;
        if (auth.Signer is not { } signer)
        {
            return "this silo has no token key, so it cannot check users";
        }

        if (!signer.TryVerify(credential, group, out var user, out var revision))
        {
            KvAuthLogMessages.AdminRefused(logger, group, "(unverified)", "token not valid");
            return $"the call's token is not a live token of a user of group {group}, whose roles govern administration";
        }

        var options = new KvClientOptions { UseSessions = false };

        // The admin grain of the admin group is busy with this very call: asking it for the members would wait on itself.
        await using var client = string.Equals(administeredGroup, group, StringComparison.Ordinal) && administeredMembers is { Count: > 0 } members
            ? new KvClient(grains, group, members, options)
            : await KvClient.ConnectAsync(grains, group, options);
        try
        {
            var status = await client.ReadAsync<AuthStatusResult>(new AuthStatusRequest(), KvCallOptions.Linearizable);
            if (!status.Result.Enabled)
            {
                KvAuthLogMessages.AdminRefused(logger, group, user, "auth is disabled");
                return $"auth of group {group} is disabled, so only the admin token administers";
            }

            // Reading a user is auth management: only the root role may, and only with a token that still holds.
            var read = await client.ReadAsync<UserResult>(
                new AsUserRequest(user, revision, new UserGetRequest(user)) { Proof = credential }, KvCallOptions.Linearizable);
            if (read.Result.Roles.Contains("root", StringComparer.Ordinal))
            {
                return null;
            }
        }
        catch (KvRequestException e)
        {
            KvAuthLogMessages.AdminRefused(logger, group, user, e.Code.ToString());
            return e.Code == KvErrorCode.InvalidAuthToken
                ? $"the token of user {user} is no longer valid (etcdserver: invalid auth token); authenticate again"
                : $"user {user} does not hold the role root in group {group} (etcdserver: permission denied)";
        }

        KvAuthLogMessages.AdminRefused(logger, group, user, "no root role");
        return $"user {user} does not hold the role root in group {group} (etcdserver: permission denied)";
    }
}
