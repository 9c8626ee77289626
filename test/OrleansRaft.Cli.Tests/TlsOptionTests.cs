using System.Security.Cryptography.X509Certificates;
using OrleansRaft.Cli.Tests.Infrastructure;
using OrleansRaft.Security;
using OrleansRaft.TestSupport;
using static OrleansRaft.Cli.Tests.Infrastructure.Expect;

namespace OrleansRaft.Cli.Tests;

/// <summary>
/// The client certificate of the gateways' mutual TLS, from --tls-cert, --tls-key and --tls-ca: settings that cannot
/// work end with exit 2 and a message that names the file, never the password, before any connection is tried.
/// </summary>
public sealed class TlsOptionTests : IDisposable
{
    private const string Password = "cli-pfx-password-91d2";
    private const string Gateway = "127.0.0.1:1";

    private readonly string _folder = TestFolders.Create("cli-tls");
    private readonly PemFiles _ca;
    private readonly PemFiles _client;

    public TlsOptionTests()
    {
        var certificates = new ThrowawayCertificates(_folder, TimeSpan.FromDays(1));
        _ca = certificates.NewAuthority("cluster-ca", out var authority);
        using (authority)
        {
            _client = certificates.NewClient(authority, "client", "client");
        }
    }

    public void Dispose() => TestFolders.Delete(_folder);

    [Fact]
    public async Task A_certificate_without_an_authority_is_a_usage_error()
    {
        Error(2, "--tls-cert needs --tls-ca: the PEM file of the cluster's authority, whose signature the gateways must present.",
            await CliProcess.RunAsync(["get", "/k", "--gateways", Gateway, "--tls-cert", _client.Certificate, "--tls-key", _client.Key]));
    }

    [Fact]
    public async Task A_missing_certificate_file_is_named()
    {
        var missing = Path.Combine(_folder, "nowhere.crt");

        Error(2, $"The client's TLS (from --tls-cert) cannot work: The client's certificate: the file {missing} does not exist.",
            await CliProcess.RunAsync(["get", "/k", "--gateways", Gateway, "--tls-cert", missing, "--tls-key", _client.Key, "--tls-ca", _ca.Certificate]));
    }

    [Fact]
    public async Task A_wrong_PKCS12_password_is_said_without_the_password()
    {
        var pfx = Path.Combine(_folder, "client.pfx");
        using (var certificate = X509Certificate2.CreateFromPemFile(_client.Certificate, _client.Key))
        {
            File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pfx, Password));
        }

        var result = Error(2, $"The client's TLS (from --tls-cert) cannot work: The client's certificate could not be read from the PKCS#12 file {pfx}: ",
            await CliProcess.RunAsync(["get", "/k", "--gateways", Gateway, "--tls-cert", pfx, "--tls-ca", _ca.Certificate],
                environment: new Dictionary<string, string> { ["ORLEANSRAFT_TLS_PASSWORD"] = "not-" + Password }));

        Assert.Contains("Is the password the file's?", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_without_its_key_is_refused()
    {
        Error(2, $"The client's TLS (from --tls-cert) cannot work: The client's certificate could not be read from {_client.Certificate}: ",
            await CliProcess.RunAsync(["get", "/k", "--gateways", Gateway, "--tls-cert", _client.Certificate, "--tls-ca", _ca.Certificate]));
    }
}
