using Microsoft.AspNetCore.Builder;
using OrleansRaft.Etcd.Hosting;
using OrleansRaft.Etcd.Tests.Infrastructure;
using Xunit.Abstractions;
using OrleansRaft.Security;

namespace OrleansRaft.Etcd.Tests;

/// <summary>
/// etcdctl 3.4 with <c>--cacert/--cert/--key</c> against the gateway with TLS and <c>--client-cert-auth</c> prints what
/// it prints against etcd 3.4.23 set up the same way, recorded in the same test: certificates of the cluster's
/// authority are served, the common name is the user once auth is enabled, and a cleartext client, a client without a
/// certificate and a certificate of another authority are refused.
/// </summary>
[Collection(EtcdGatewayCollection.Name)]
public sealed class EtcdctlTlsTests(EtcdGatewayCluster fixture, ITestOutputHelper output)
{
    /// <summary>A connection that the server refuses ends at etcdctl's command timeout: short ones keep the test quick.</summary>
    private const string Refused = "--dial-timeout=1s --command-timeout=2s";

    [Fact]
    public async Task Tls_and_client_certificate_auth_print_what_etcd_3_4_prints()
    {
        using var certificates = new TestCertificates();
        var ca = certificates.NewAuthority("cluster-ca", out var authority);
        var server = certificates.NewServer(authority, "gateway");
        var root = certificates.NewClient(authority, "root");
        var alice = certificates.NewClient(authority, "alice");
        certificates.NewAuthority("other-ca", out var other);
        var stranger = certificates.NewClient(other, "root");

        string As(PemFiles client) => $"--cacert={ca.Certificate} --cert={client.Certificate} --key={client.Key}";
        string[] sequence =
        [
            $"{As(root)} put /tls/a 1",
            $"{As(root)} get /tls/a",
            $"{Refused} {As(stranger)} get /tls/a",
            $"{Refused} --cacert={ca.Certificate} get /tls/a",
            $"{Refused} get /tls/a",
            $"{As(root)} user add root:rootpw",
            $"{As(root)} user grant-role root root",
            $"{As(root)} auth enable",
            $"{As(root)} put /tls/b 2",
            $"{As(alice)} get /tls/b",
            $"{As(alice)} user list",
            $"{As(alice)} --user=root:rootpw get /tls/b",
            $"{As(root)} auth disable",
        ];

        const string group = "auth-tls";
        await fixture.CreateGroupAsync(group);
        var tls = new EtcdTlsOptions { CertificatePath = server.Certificate, KeyPath = server.Key, ClientCertAuth = true };
        tls.TrustedCaPaths.Add(ca.Certificate);
        var (app, url) = await fixture.StartGatewayAsync(o =>
        {
            o.GroupId = group;
            o.PasswordHashIterations = 1_000;
            o.Tls = tls;
        });
        try
        {
            Assert.StartsWith("https://", url, StringComparison.Ordinal);
            await using var etcd = await RealEtcd.StartAsync("https",
                $"--cert-file={server.Certificate}", $"--key-file={server.Key}", $"--trusted-ca-file={ca.Certificate}", "--client-cert-auth");
            var expected = EtcdctlTranscript.RunAsync(etcd.Authority, sequence);
            var actual = EtcdctlTranscript.RunAsync(new Uri(url).Authority, sequence);
            output.WriteLine(await expected);
            Assert.Contains("OK\n[exit 0]", await expected, StringComparison.Ordinal);
            Assert.Equal(await expected, await actual);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
