using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using OrleansRaft.Host.Tests.Infrastructure;
using OrleansRaft.Security;
using OrleansRaft.TestSupport;
using Xunit.Abstractions;

namespace OrleansRaft.Host.Tests;

/// <summary>
/// The local cluster's mutual TLS, on by default: the certificates the launcher makes and names in cluster.json, and
/// the CLI's clear errors for a cleartext client and a client of another authority, which change nothing.
/// </summary>
[Collection(LocalClusterCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LocalTlsTests(LocalClusterFixture cluster, ITestOutputHelper output) : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _folder = TestFolders.Create("tls-clients");

    public void Dispose() => TestFolders.Delete(_folder);

    [Fact]
    public void The_launcher_names_the_client_certificate_in_cluster_json_and_keeps_every_key_owner_only()
    {
        var dataDir = cluster.Launcher.DataDir;
        var tls = KvConnection.ReadTls(dataDir) ?? throw new InvalidOperationException("cluster.json has no tls object.");
        var folder = Path.Combine(dataDir, "tls");

        Assert.Equal(Path.Combine(folder, "client.crt"), tls.CertificatePath);
        Assert.Equal(Path.Combine(folder, "client.key"), tls.KeyPath);
        Assert.Equal([Path.Combine(folder, "ca.crt")], tls.TrustedCaPaths);
        Assert.Null(tls.CertificatePassword);
        using var client = RaftTlsCredentials.Load(tls, "the client's certificate", RaftTlsCredentials.ClientUsages);
        Assert.Equal("CN=orleansraft-client", client.Certificate.Subject);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        string[] keys = ["ca.key", "client.key", .. cluster.Launcher.Silos.Select(s => $"silo-{s.Number}.key")];
        Assert.All(keys, key => Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(folder, key))));
        Assert.All(cluster.Launcher.Silos, s => Assert.Contains(
            $"Orleans links use mutual TLS: certificate 'CN=orleansraft-silo-{s.Number}' (issuer 'CN=orleansraft-local-ca'",
            File.ReadAllText(Path.Combine(dataDir, "logs", $"silo-{s.Number}.log")),
            StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cleartext_cli_and_a_cli_of_another_authority_fail_clearly_and_change_nothing()
    {
        var live = cluster.LiveSilos.First().StatusUrl;
        var before = await StatusReader.LeaderAsync(live, "kv");

        // The same cluster.json without its tls object: the CLI connects in cleartext.
        var cleartextDir = Directory.CreateDirectory(Path.Combine(_folder, "cleartext")).FullName;
        var file = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(Path.Combine(cluster.Launcher.DataDir, "cluster.json")))!;
        file.Remove("tls");
        File.WriteAllText(Path.Combine(cleartextDir, "cluster.json"), JsonSerializer.Serialize(file));
        var cleartext = await CliRunner.RunAsync(cleartextDir, "put", "/tls/cleartext", "x", "--timeout", "5s");

        // A client certificate of another authority, which trusts the cluster's too (so it accepts the gateways).
        var certificates = new ThrowawayCertificates(_folder, TimeSpan.FromDays(1));
        var otherCa = certificates.NewAuthority("other-ca", out var other);
        PemFiles rogue;
        using (other)
        {
            rogue = certificates.NewClient(other, "rogue-client");
        }

        var tls = KvConnection.ReadTls(cluster.Launcher.DataDir)!;
        var refused = await CliRunner.RunAsync(
            cluster.Launcher.DataDir, "put", "/tls/rogue", "x", "--timeout", "5s",
            "--tls-cert", rogue.Certificate, "--tls-key", rogue.Key, "--tls-ca", $"{tls.TrustedCaPaths[0]},{otherCa.Certificate}");

        output.WriteLine($"cleartext:\n{cleartext.Stderr}\nanother authority:\n{refused.Stderr}");
        Assert.True(cleartext.ExitCode == 3, cleartext.ToString());
        Assert.Contains(", in cleartext.", cleartext.Stderr, StringComparison.Ordinal);
        Assert.Contains("If the gateways require TLS (the local cluster does unless started with --insecure), give the client certificate", cleartext.Stderr, StringComparison.Ordinal);
        Assert.True(refused.ExitCode == 3, refused.ToString());
        Assert.Contains(", over mutual TLS (from --tls-cert: certificate " + rogue.Certificate, refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("the client certificate must chain to the cluster's authority", refused.Stderr, StringComparison.Ordinal);
        var logs = string.Join("\n", cluster.LiveSilos.Select(s => File.ReadAllText(Path.Combine(cluster.Launcher.DataDir, "logs", $"silo-{s.Number}.log"))));
        Assert.Contains("TLS: refused a cleartext connection from 127.0.0.1:", logs, StringComparison.Ordinal);
        Assert.Contains("TLS: refused the certificate 'CN=rogue-client' (issuer 'CN=other-ca'", logs, StringComparison.Ordinal);

        var after = await StatusReader.LeaderAsync(live, "kv");
        Assert.Equal((before.Leader, before.Term), (after.Leader, after.Term));
        Assert.Null(await cluster.Connection.Kv.GetAsync("/tls/cleartext"));
        Assert.Null(await cluster.Connection.Kv.GetAsync("/tls/rogue"));
    }

    [Fact]
    public async Task A_silo_with_a_wrong_PKCS12_password_says_so_without_the_password_and_does_not_start()
    {
        const string Password = "the-right-one-5c1e";
        var certificates = new ThrowawayCertificates(_folder, TimeSpan.FromDays(1));
        var ca = certificates.NewAuthority("ca", out var authority);
        var pem = certificates.NewSilo(authority, "silo", "silo");
        authority.Dispose();
        var pfx = Path.Combine(_folder, "silo.pfx");
        using (var certificate = X509Certificate2.CreateFromPemFile(pem.Certificate, pem.Key))
        {
            File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pfx, Password));
        }

        var run = await ChildProcess.RunAsync("dotnet", [Paths.HostDll,
            "--ConnectionStrings:Postgres", "Host=127.0.0.1;Port=1;Username=nobody",
            "--Orleans:Tls:CertificatePath", pfx, "--Orleans:Tls:TrustedCaPaths:0", ca.Certificate],
            new ChildProcessOptions
            {
                Bound = TimeSpan.FromMinutes(2),
                WorkingDirectory = _folder,
                Environment = new Dictionary<string, string?> { ["ORLEANSRAFT_Orleans__Tls__CertificatePassword"] = "not-" + Password },
            });

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains($"The silo does not start: The silo's certificate could not be read from the PKCS#12 file {pfx}: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Is the password the file's?", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, run.Stdout + run.Stderr, StringComparison.Ordinal);
    }
}
