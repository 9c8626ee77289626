using System.Security.Cryptography.X509Certificates;
using Orleans.TestingHost;
using OrleansRaft.Security;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Hosting.Tests;

/// <summary>
/// TLS settings that cannot work stop the silo or client as it is configured, with a message that names the file or
/// the certificate and what is wrong, and never the password.
/// </summary>
public sealed class TlsConfigurationTests : IDisposable
{
    private const string Password = "pfx-password-7f3a";

    private readonly string _folder = TestFolders.Create("tls-config");
    private readonly ThrowawayCertificates _certificates;
    private readonly PemFiles _ca;
    private readonly X509Certificate2 _authority;
    private readonly PemFiles _silo;

    public TlsConfigurationTests()
    {
        _certificates = new ThrowawayCertificates(_folder, TimeSpan.FromDays(1));
        _ca = _certificates.NewAuthority("cluster-ca", out _authority);
        _silo = _certificates.NewSilo(_authority, "silo", "silo");
    }

    public void Dispose()
    {
        _authority.Dispose();
        TestFolders.Delete(_folder);
    }

    [Fact]
    public void PEM_files_of_the_cluster_authority_load()
    {
        using var credentials = Load(Options(_silo.Certificate, _silo.Key));

        Assert.Equal("CN=silo", credentials.Certificate.Subject);
        Assert.True(credentials.Certificate.HasPrivateKey);
        Assert.Equal("CN=cluster-ca", Assert.Single(credentials.Authorities).Subject);
    }

    [Fact]
    public void A_PKCS12_file_loads_with_its_password()
    {
        var pfx = WritePfx("silo.pfx", withKey: true);

        using var credentials = Load(Options(pfx, null, Password));

        Assert.Equal("CN=silo", credentials.Certificate.Subject);
    }

    [Fact]
    public void A_missing_certificate_file_is_named()
    {
        var missing = Path.Combine(_folder, "nowhere.crt");

        var failure = Assert.Throws<RaftTlsException>(() => Load(Options(missing, _silo.Key)));

        Assert.Equal($"The silo's certificate: the file {missing} does not exist.", failure.Message);
    }

    [Fact]
    public void A_missing_authority_file_is_named()
    {
        var options = Options(_silo.Certificate, _silo.Key);
        var missing = Path.Combine(_folder, "no-ca.crt");
        options.TrustedCaPaths.Add(missing);

        var failure = Assert.Throws<RaftTlsException>(() => Load(options));

        Assert.Equal($"The trusted authority file: the file {missing} does not exist.", failure.Message);
    }

    [Fact]
    public void A_wrong_PKCS12_password_is_said_without_the_password()
    {
        var pfx = WritePfx("silo.pfx", withKey: true);

        var failure = Assert.Throws<RaftTlsException>(() => Load(Options(pfx, null, "not-" + Password)));

        Assert.StartsWith($"The silo's certificate could not be read from the PKCS#12 file {pfx}: ", failure.Message);
        Assert.EndsWith("Is the password the file's?", failure.Message);
        Assert.DoesNotContain(Password, failure.ToString());
    }

    [Fact]
    public void A_PKCS12_file_without_its_private_key_is_refused()
    {
        var pfx = WritePfx("public-only.pfx", withKey: false);

        var failure = Assert.Throws<RaftTlsException>(() => Load(Options(pfx, null, Password)));

        Assert.Equal($"The silo's certificate in {pfx} (CN=silo) comes without its private key, which TLS needs to prove it is this process's.", failure.Message);
    }

    [Fact]
    public void A_PEM_certificate_without_a_key_is_refused()
    {
        var failure = Assert.Throws<RaftTlsException>(() => Load(Options(_silo.Certificate, null)));

        Assert.StartsWith($"The silo's certificate could not be read from {_silo.Certificate}: ", failure.Message);
        Assert.EndsWith("A PEM certificate needs its private key, in the same file or in a key file of its own (KeyPath).", failure.Message);
    }

    [Fact]
    public void A_client_certificate_is_refused_for_a_silo()
    {
        var client = _certificates.NewClient(_authority, "client");

        var failure = Assert.Throws<RaftTlsException>(() => Load(Options(client.Certificate, client.Key)));

        Assert.StartsWith("The silo's certificate 'CN=client' (issuer 'CN=cluster-ca', thumbprint ", failure.Message);
        Assert.Contains("would be refused by every peer: it is not meant for TLS servers (serverAuth) (its extended key usage lacks it).", failure.Message);
    }

    [Fact]
    public void A_certificate_of_an_authority_the_silo_does_not_trust_is_refused()
    {
        var other = _certificates.NewAuthority("other-ca", out var otherAuthority);
        using (otherAuthority)
        {
            var stranger = _certificates.NewSilo(otherAuthority, "stranger");
            var failure = Assert.Throws<RaftTlsException>(() => Load(Options(stranger.Certificate, stranger.Key)));

            Assert.Contains("'CN=stranger' (issuer 'CN=other-ca'", failure.Message);
            Assert.EndsWith($"would be refused by every peer: it is not signed by a trusted authority. Trusted authorities: 'CN=cluster-ca' (from {_ca.Certificate}).", failure.Message);
            Assert.NotNull(other);
        }
    }

    [Fact]
    public void Options_without_a_certificate_or_authorities_say_what_is_missing()
    {
        var none = new RaftTlsOptions();
        none.TrustedCaPaths.Add(_ca.Certificate);
        var noAuthority = new RaftTlsOptions { CertificatePath = _silo.Certificate, KeyPath = _silo.Key };

        Assert.Equal(
            "TLS of the silo's certificate needs a certificate: CertificatePath (PEM with KeyPath, or PKCS#12), or StoreThumbprint or StoreSubject for the certificate store.",
            Assert.Throws<RaftTlsException>(() => Load(none)).Message);
        Assert.Equal(
            "TLS of the silo's certificate needs TrustedCaPaths: the PEM files of the cluster's authority, whose signature every peer must present.",
            Assert.Throws<RaftTlsException>(() => Load(noAuthority)).Message);
    }

    [Fact]
    public void The_options_show_where_the_certificate_is_and_never_the_password()
    {
        var options = Options(Path.Combine(_folder, "silo.pfx"), null, Password);

        Assert.Equal($"certificate {Path.Combine(_folder, "silo.pfx")}, trusted authorities [{_ca.Certificate}]", options.ToString());
    }

    [Fact]
    public async Task A_silo_with_an_unreadable_certificate_does_not_start()
    {
        var options = Options(_silo.Certificate, null);
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) => silo.UseOrleansRaftTls(options));
        var cluster = builder.Build();
        try
        {
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => cluster.DeployAsync());

            Assert.Contains($"RaftTlsException: The silo's certificate could not be read from {_silo.Certificate}", failure.ToString());
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    private static RaftTlsCredentials Load(RaftTlsOptions options) =>
        RaftTlsCredentials.Load(options, "the silo's certificate", RaftTlsCredentials.SiloUsages);

    private RaftTlsOptions Options(string certificate, string? key, string? password = null)
    {
        var options = new RaftTlsOptions { CertificatePath = certificate, KeyPath = key, CertificatePassword = password };
        options.TrustedCaPaths.Add(_ca.Certificate);
        return options;
    }

    private string WritePfx(string name, bool withKey)
    {
        using var certificate = withKey
            ? X509Certificate2.CreateFromPemFile(_silo.Certificate, _silo.Key)
            : X509CertificateLoader.LoadCertificateFromFile(_silo.Certificate);
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        return path;
    }
}
