using Microsoft.AspNetCore.Builder;
using OrleansRaft.Etcd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansRaft.Etcd.Tests;

/// <summary>
/// etcdctl 3.4's auth commands against the gateway print what they print against etcd 3.4.23 itself: the same output,
/// error lines, refusal codes and exit codes, recorded from a throwaway etcd in the same test.
/// </summary>
[Collection(EtcdGatewayCollection.Name)]
public sealed class EtcdctlAuthTests(EtcdGatewayCluster fixture, ITestOutputHelper output)
{
    private const string Root = "--user=root:rootpw";
    private const string Alice = "--user=alice:alicepw";

    /// <summary>Enable, refuse the anonymous, accept root, a user limited to a prefix, revoke, bad input, disable.</summary>
    private static readonly string[] Sequence =
    [
        "user add root:rootpw",
        "auth enable",
        "put /x 1",
        $"{Root} put /x 1",
        "--user=root:wrongpw get /x",
        $"{Root} role add app",
        $"{Root} role grant-permission --prefix=true app readwrite /app/",
        $"{Root} role grant-permission app read /shared",
        $"{Root} role get app",
        $"{Root} user add alice:alicepw",
        $"{Root} user grant-role alice app",
        $"{Root} user get alice",
        $"{Alice} put /app/a 1",
        $"{Alice} get /app/a",
        $"{Alice} get /shared",
        $"{Alice} put /shared 1",
        $"{Alice} put /other 1",
        $"{Alice} get --prefix /",
        $"{Alice} role add mine",
        $"{Alice} watch /other",
        $"{Root} user list",
        $"{Root} role list",
        $"{Root} user revoke-role alice app",
        $"{Alice} put /app/a 2",
        $"{Alice} get /app/a",
        $"{Root} user revoke-role alice app",
        $"{Root} user delete root",
        $"{Root} role revoke-permission app /nothere",
        $"{Root} role delete nothing",
        "--user=nobody:pw get /x",
        $"{Root} get /app/a",
        $"{Root} auth disable",
        "get /app/a",
        $"{Alice} get /x",
    ];

    [Fact]
    public async Task The_auth_sequence_prints_what_etcd_3_4_prints()
    {
        const string group = "auth-etcdctl";
        await fixture.CreateGroupAsync(group);
        var (app, url) = await fixture.StartGatewayAsync(o =>
        {
            o.GroupId = group;
            o.PasswordHashIterations = 1_000;
        });
        try
        {
            await using var etcd = await RealEtcd.StartAsync();
            var expected = EtcdctlTranscript.RunAsync(etcd.Authority, Sequence);
            var actual = EtcdctlTranscript.RunAsync(new Uri(url).Authority, Sequence);
            output.WriteLine(await expected);

            // The reference did what the sequence is about, so an equal transcript means the gateway did too.
            Assert.Contains("$ etcdctl auth enable\nAuthentication Enabled\n", await expected, StringComparison.Ordinal);
            Assert.Contains($"$ etcdctl {Alice} put /other 1\n(log) rpc error: code = PermissionDenied desc = etcdserver: permission denied\nError: etcdserver: permission denied\n[exit 1]",
                await expected, StringComparison.Ordinal);
            Assert.Equal(await expected, await actual);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
