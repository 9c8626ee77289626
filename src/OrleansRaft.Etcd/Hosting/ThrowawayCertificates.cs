using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansRaft.Etcd.Hosting;

/// <summary>PEM files of a certificate and its private key, as etcd, etcdctl and <see cref="EtcdTlsOptions"/> take them.</summary>
public sealed record PemFiles(string Certificate, string Key);

/// <summary>
/// A throwaway authority and the certificates it signs, for local clusters, benchmarks and tests: ECDSA P-256 keys made
/// with <see cref="CertificateRequest"/> (no openssl), valid for <paramref name="lifetime"/>, written as PEM (unencrypted
/// PKCS#8 keys, owner-readable only) into <paramref name="folder"/>. Not for production: keys sit unencrypted on disk.
/// </summary>
public sealed class ThrowawayCertificates(string folder, TimeSpan lifetime)
{
    /// <summary>A new self-signed authority named <paramref name="name"/>; its files are <c>{name}.crt</c> and <c>{name}.key</c>.</summary>
    public PemFiles NewAuthority(string name, out X509Certificate2 authority)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.Add(lifetime));
        return Write(name, authority, key);
    }

    /// <summary>A server certificate for 127.0.0.1, ::1, localhost and <paramref name="hosts"/>, signed by <paramref name="authority"/>.</summary>
    public PemFiles NewServer(X509Certificate2 authority, string name, params string[] hosts)
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        names.AddDnsName("localhost");
        foreach (var host in hosts)
        {
            if (IPAddress.TryParse(host, out var ip))
            {
                names.AddIpAddress(ip);
            }
            else
            {
                names.AddDnsName(host);
            }
        }

        return Issue(authority, name, EtcdTls.ServerAuthentication, names.Build());
    }

    /// <summary>A client certificate whose common name is <paramref name="user"/>, signed by <paramref name="authority"/>.</summary>
    public PemFiles NewClient(X509Certificate2 authority, string user) => Issue(authority, user, EtcdTls.ClientAuthentication, null);

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

        using var issuerKey = authority.GetECDsaPrivateKey() ?? throw new ArgumentException("The authority holds no ECDSA private key.", nameof(authority));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(authority.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey),
            DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.Add(lifetime), serial);
        return Write($"{name}-{Convert.ToHexString(serial, 0, 3).ToLowerInvariant()}", issued, key);
    }

    private PemFiles Write(string name, X509Certificate2 certificate, ECDsa key)
    {
        Directory.CreateDirectory(folder);
        var files = new PemFiles(Path.Combine(folder, $"{name}.crt"), Path.Combine(folder, $"{name}.key"));
        File.WriteAllText(files.Certificate, certificate.ExportCertificatePem());
        File.WriteAllText(files.Key, "");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(files.Key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(files.Key, key.ExportPkcs8PrivateKeyPem());
        return files;
    }
}
