using System.Security.Cryptography.X509Certificates;

namespace OrleansRaft.Security;

/// <summary>
/// Mutual TLS of Orleans links, silo to silo and client to gateway: this process's certificate and the cluster's
/// authorities. Bindable from configuration (the host's <c>Orleans:Tls</c> section, or the <c>tls</c> object of a local
/// cluster's <c>cluster.json</c>). The certificate comes from files (<see cref="CertificatePath"/>) or from the
/// certificate store (<see cref="StoreThumbprint"/> or <see cref="StoreSubject"/>), and is read once, as the silo or
/// client is configured.
/// </summary>
/// <remarks>
/// Identity: a peer is accepted when its certificate chains to one of <see cref="TrustedCaPaths"/> (and to no other
/// root) and carries the usage of its role: a silo's certificate is both a TLS server and a TLS client one
/// (<c>serverAuth</c> and <c>clientAuth</c>), since a silo accepts and opens links; a client's is a <c>clientAuth</c>
/// one. Silos therefore refuse a client certificate on a silo link, and no name is checked: the authority is the
/// cluster's trust boundary. Revocation is not checked; replace the authority (two trusted at once) to retire keys.
/// </remarks>
public sealed class RaftTlsOptions
{
    /// <summary>The certificate: a PEM file (with <see cref="KeyPath"/> unless it holds its key), or a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/>; null when the certificate file holds its key.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The password of a PKCS#12 certificate, or of an encrypted PEM key. A secret: never logged or shown.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Takes the certificate from the store instead of files: the one with this thumbprint (SHA-1, hex).</summary>
    public string? StoreThumbprint { get; set; }

    /// <summary>Takes the certificate from the store instead of files: the newest valid one with this subject name.</summary>
    public string? StoreSubject { get; set; }

    /// <summary>The store of <see cref="StoreThumbprint"/> and <see cref="StoreSubject"/>.</summary>
    public StoreName StoreName { get; set; } = StoreName.My;

    public StoreLocation StoreLocation { get; set; } = StoreLocation.CurrentUser;

    /// <summary>
    /// PEM files of the authorities a peer's certificate must chain to (each file may hold several). Two at once while
    /// the cluster's authority is rotated: trust the new one beside the old everywhere, reissue every silo's and
    /// client's certificate from the new one, then drop the old.
    /// </summary>
    public IList<string> TrustedCaPaths { get; } = [];

    /// <summary>How long a TLS handshake may take before the connection is dropped.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Where the certificate and the authorities come from; never the password.</summary>
    public override string ToString()
    {
        var certificate = StoreThumbprint is { Length: > 0 } || StoreSubject is { Length: > 0 }
            ? $"store {StoreLocation}/{StoreName} {(StoreThumbprint is { Length: > 0 } ? $"thumbprint {StoreThumbprint}" : $"subject '{StoreSubject}'")}"
            : $"{CertificatePath}{(KeyPath is null ? "" : $" (key {KeyPath})")}";
        return $"certificate {certificate}, trusted authorities [{string.Join(", ", TrustedCaPaths)}]";
    }
}
