using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Etcd.Tests.Infrastructure;

/// <summary>PEM files of a certificate and its key, as etcd and etcdctl take them.</summary>
public sealed record PemFiles(string Certificate, string Key);

/// <summary>
/// Throwaway authorities and certificates for TLS tests, made with <see cref="CertificateRequest"/> and written as PEM
/// into a test folder that disposing removes: an authority's certificate, a server certificate for 127.0.0.1 and
/// localhost, and client certificates whose common name is the user.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly string _folder = TestFolders.Create("certs");

    public PemFiles NewAuthority(string name, out X509Certificate2 authority)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return Write(name, authority, key);
    }

    public PemFiles NewServer(X509Certificate2 authority, string name)
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        return Issue(authority, name, "1.3.6.1.5.5.7.3.1", names.Build());
    }

    public PemFiles NewClient(X509Certificate2 authority, string user) => Issue(authority, user, "1.3.6.1.5.5.7.3.2", null);

    public void Dispose() => TestFolders.Delete(_folder);

    private PemFiles Issue(X509Certificate2 authority, string name, string usage, X509Extension? alternativeNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        if (alternativeNames is not null)
        {
            request.CertificateExtensions.Add(alternativeNames);
        }

        using var issuerKey = authority.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The authority has no ECDSA key.");
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(authority.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
        return Write($"{name}-{Guid.NewGuid().ToString("N")[..6]}", issued, key);
    }

    private PemFiles Write(string name, X509Certificate2 certificate, ECDsa key)
    {
        var files = new PemFiles(Path.Combine(_folder, $"{name}.crt"), Path.Combine(_folder, $"{name}.key"));
        File.WriteAllText(files.Certificate, certificate.ExportCertificatePem());
        File.WriteAllText(files.Key, key.ExportPkcs8PrivateKeyPem());
        return files;
    }
}
