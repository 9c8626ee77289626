using System.Security.Cryptography;
using System.Text;
using OrleansRaft.Abstractions;

namespace OrleansRaft.Hosting.Configuration;

/// <summary>
/// Checks the admin token of an admin call (creating or deleting a group, a membership change) against
/// <see cref="OrleansRaftOptions.AdminToken"/>; <see cref="VerifyAsync"/> also lets in a caller without the token whose
/// credential an <see cref="IRaftAdminAuthorizer"/> accepts (a user with the key-value store's <c>root</c> role).
/// </summary>
/// <remarks>
/// Both tokens are hashed before they are compared, so the comparison takes the same time whatever the lengths and
/// wherever they differ. Neither token ever appears in a message or a log.
/// </remarks>
internal static class RaftAdminToken
{
    /// <summary>
    /// As <see cref="Verify"/> when the call carries the admin token or no credential; otherwise the credential decides
    /// (<paramref name="authorizer"/>), and a refusal says why. The admin token, when given, always decides alone: a
    /// wrong token is refused whatever the credential.
    /// </summary>
    public static async Task VerifyAsync(
        OrleansRaftOptions options, string? given, IRaftAdminAuthorizer? authorizer, string groupId, Func<Task<IReadOnlyList<ulong>?>> members)
    {
        if (!string.IsNullOrEmpty(given) || authorizer is null || RaftCallerCredential.Current is not { Length: > 0 } credential)
        {
            Verify(options, given);
            return;
        }

        if (await authorizer.AuthorizeAsync(credential, groupId, await members()) is { } refusal)
        {
            throw new RaftAdminAuthenticationException($"Admin calls need the admin token or a user with the root role: {refusal}");
        }
    }

    public static void Verify(OrleansRaftOptions options, string? given)
    {
        if (string.IsNullOrEmpty(options.AdminToken))
        {
            throw new RaftAdminAuthenticationException(
                "Group and membership administration is disabled: no admin token is configured on this silo. Set OrleansRaftOptions.AdminToken " +
                "(Raft:AdminToken in the host's configuration, or the ORLEANSRAFT_ADMIN_TOKEN environment variable for the host) on every silo.");
        }

        if (string.IsNullOrEmpty(given))
        {
            throw new RaftAdminAuthenticationException(
                "Admin calls (creating and deleting groups, membership changes) require the admin token: pass it (--admin-token, or ORLEANSRAFT_ADMIN_TOKEN for the CLI), " +
                "or, while the key-value store's auth is enabled, call as a user with the root role (--user).");
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.AdminToken));
        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(given));
        if (!CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            throw new RaftAdminAuthenticationException("The admin token is wrong.");
        }
    }
}
