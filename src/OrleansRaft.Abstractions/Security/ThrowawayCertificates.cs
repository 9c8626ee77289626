using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansRaft.Security;

/// <summary>PEM files of a certificate and its private key, as etcd, etcdctl, <see cref="RaftTlsOptions"/> and the etcd gateway take them.</summary>
public sealed record PemFiles(string Certificate, string Key);

/// <summary>
/// A throwaway authority and the certificates it signs, for local clusters, benchmarks and tests: ECDSA P-256 keys made
/// with <see cref="CertificateRequest"/> (no openssl), valid for <paramref name="lifetime"/>, written as PEM (unencrypted
/// PKCS#8 keys, created owner-readable only) into <paramref name="folder"/>. Not for production: keys sit unencrypted on
/// disk. Issued files are named for the certificate and a piece of its serial number, unless a file name is given.
/// </summary>
public sealed class ThrowawayCertificates(string folder, TimeSpan lifetime)
{
    /// <summary>
    /// A new self-signed authority named <paramref name="name"/>; its files are <c>{name}.crt</c> and <c>{name}.key</c>,
    /// or <c>{fileName}.crt</c> and <c>{fileName}.key</c>.
    /// </summary>
    public PemFiles NewAuthority(string name, out X509Certificate2 authority, string? fileName = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.Add(lifetime));
        return Write(fileName ?? name, authority, key);
    }

    /// <summary>An authority written earlier by <see cref="NewAuthority"/> (or any PEM certificate and key), with its private key.</summary>
    public static X509Certificate2 LoadAuthority(PemFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        return X509Certificate2.CreateFromPemFile(files.Certificate, files.Key);
    }

    /// <summary>A server certificate for 127.0.0.1, ::1, localhost and <paramref name="hosts"/>, signed by <paramref name="authority"/>.</summary>
    public PemFiles NewServer(X509Certificate2 authority, string name, params string[] hosts) =>
        Issue(authority, name, [RaftCertificates.ServerAuthentication], AlternativeNames(hosts), null);

    /// <summary>
    /// An Orleans silo's certificate (<see cref="RaftTlsCredentials.SiloUsages"/>: server and client, since a silo
    /// accepts and opens links) for 127.0.0.1, ::1, localhost and <paramref name="hosts"/>, in <c>{fileName}.crt</c> and
    /// <c>{fileName}.key</c> when <paramref name="fileName"/> is given.
    /// </summary>
    public PemFiles NewSilo(X509Certificate2 authority, string name, string? fileName = null, params string[] hosts) =>
        Issue(authority, name, RaftTlsCredentials.SiloUsages, AlternativeNames(hosts), fileName);

    /// <summary>A client certificate whose common name is <paramref name="user"/>, signed by <paramref name="authority"/>.</summary>
    public PemFiles NewClient(X509Certificate2 authority, string user, string? fileName = null) =>
        Issue(authority, user, [RaftCertificates.ClientAuthentication], null, fileName);

    private static X509Extension AlternativeNames(string[] hosts)
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

        return names.Build();
    }

    private PemFiles Issue(X509Certificate2 authority, string name, IReadOnlyCollection<string> usages, X509Extension? alternativeNames, string? fileName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. usages.Select(u => new Oid(u))], false));
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
        return Write(fileName ?? $"{name}-{Convert.ToHexString(serial, 0, 3).ToLowerInvariant()}", issued, key);
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
