using System.Security.Cryptography;
using System.Text;
using OrleansRaft.Abstractions;

namespace OrleansRaft.Hosting.Configuration;

/// <summary>Checks the admin token of an admin call (creating or deleting a group, a membership change) against <see cref="OrleansRaftOptions.AdminToken"/>.</summary>
/// <remarks>
/// Both tokens are hashed before they are compared, so the comparison takes the same time whatever the lengths and
/// wherever they differ. Neither token ever appears in a message or a log.
/// </remarks>
internal static class RaftAdminToken
{
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
                "Admin calls (creating and deleting groups, membership changes) require the admin token: pass it (--admin-token, or ORLEANSRAFT_ADMIN_TOKEN for the CLI).");
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.AdminToken));
        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(given));
        if (!CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            throw new RaftAdminAuthenticationException("The admin token is wrong.");
        }
    }
}
