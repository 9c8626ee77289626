using OrleansRaft.Cli.Tests.Infrastructure;
using OrleansRaft.Client;
using OrleansRaft.KeyValue;
using static OrleansRaft.Cli.Tests.Infrastructure.Expect;

namespace OrleansRaft.Cli.Tests;

/// <summary>
/// <c>--user NAME:PASSWORD</c> (or $ORLEANSRAFT_USER) against a group whose auth is enabled: the CLI calls as the user
/// the silo authenticated, and a missing, wrong or malformed user is refused with the store's error, never echoing the
/// password.
/// </summary>
[Collection(MembershipClusterCollection.Name)]
public sealed class UserOptionTests(CliCluster cluster)
{
    private const string Group = "auth-cli";

    [Fact]
    public async Task A_user_reads_and_writes_inside_its_prefix_and_nobody_a_stranger_or_a_wrong_password_is_refused()
    {
        await new RaftGroupAdmin(cluster.Grains, CliCluster.AdminToken).CreateKeyValueGroupAsync(Group, members: 1);
        await using (var setup = await KvClient.ConnectAsync(cluster.Grains, Group))
        {
            await setup.WriteAsync<AuthChangedResult>(new UserAddRequest("root", PasswordHash.Create("root-pw", 1_000)));
            await setup.WriteAsync<AuthChangedResult>(new UserGrantRoleRequest("root", "root"));
            await setup.WriteAsync<AuthChangedResult>(new RoleAddRequest("app"));
            var app = KvBytes.From("/app/");
            await setup.WriteAsync<AuthChangedResult>(new RoleGrantPermissionRequest("app", new KeyPermission(PermissionType.ReadWrite, app, KeyRanges.PrefixEnd(app))));
            await setup.WriteAsync<AuthChangedResult>(new UserAddRequest("alice", PasswordHash.Create("alice-pw", 1_000)));
            await setup.WriteAsync<AuthChangedResult>(new UserGrantRoleRequest("alice", "app"));
            await setup.WriteAsync<AuthChangedResult>(new AuthEnableRequest());
        }

        Error(1, "the store refused the request: UserEmpty", await cluster.RunAsync("put", "/app/k", "v", "--group", Group));
        Assert.Equal(["OK"], Ok(await cluster.RunAsync("put", "/app/k", "v", "--group", Group, "--user", "alice:alice-pw")).Lines);
        var fromVariable = await CliProcess.RunAsync(
            ["get", "/app/k", "--group", Group, .. cluster.Connection], environment: new Dictionary<string, string> { ["ORLEANSRAFT_USER"] = "alice:alice-pw" });
        Assert.Equal(["/app/k", "v"], Ok(fromVariable).Lines);
        Error(1, "the store refused the request: PermissionDenied", await cluster.RunAsync("put", "/other", "v", "--group", Group, "--user", "alice:alice-pw"));

        var wrong = Error(1, "the store refused the request: AuthFailed", await cluster.RunAsync("put", "/app/k", "w", "--group", Group, "--user", "alice:wrong-secret"));
        Assert.DoesNotContain("wrong-secret", wrong.Stderr, StringComparison.Ordinal);
        var malformed = Error(2, "Bad --user: expected NAME:PASSWORD.", await cluster.RunAsync("get", "/app/k", "--group", Group, "--user", "no-colon-secret"));
        Assert.DoesNotContain("no-colon-secret", malformed.Stderr, StringComparison.Ordinal);
        Assert.Equal(["/app/k", "v"], Ok(await cluster.RunAsync("get", "/app/k", "--group", Group, "--user", "root:root-pw")).Lines);

        // A root user of this group is no administrator: the silos' admin group is kv, whose users govern administration.
        Error(1, "of group kv, whose roles govern administration", await cluster.RunAsync("group", "create", "auth-cli-made", "--members", "1", "--group", Group, "--user", "root:root-pw"));
        Assert.True(await new RaftGroupAdmin(cluster.Grains, CliCluster.AdminToken).DeleteAsync(Group));
    }
}
