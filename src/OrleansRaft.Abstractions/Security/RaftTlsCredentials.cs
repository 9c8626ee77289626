using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace OrleansRaft.Security;

/// <summary>
/// What <see cref="RaftTlsOptions"/> resolve to: this process's certificate, checked once for its role, and the
/// authorities peers are checked against. Loading fails with a <see cref="RaftTlsException"/>, so that a process with
/// a certificate that no peer would accept refuses to start instead of failing every connection.
/// </summary>
public sealed partial class RaftTlsCredentials : IDisposable
{
    /// <summary>What a silo's certificate carries: it accepts links (server) and opens them (client).</summary>
    public static readonly IReadOnlyCollection<string> SiloUsages = [RaftCertificates.ServerAuthentication, RaftCertificates.ClientAuthentication];

    /// <summary>What a client's certificate carries.</summary>
    public static readonly IReadOnlyCollection<string> ClientUsages = [RaftCertificates.ClientAuthentication];

    /// <summary>What a client asks of a gateway's certificate.</summary>
    public static readonly IReadOnlyCollection<string> GatewayUsages = [RaftCertificates.ServerAuthentication];

    private RaftTlsCredentials(X509Certificate2 certificate, X509Certificate2Collection authorities, TimeSpan handshakeTimeout)
    {
        Certificate = certificate;
        Authorities = authorities;
        HandshakeTimeout = handshakeTimeout;
    }

    /// <summary>This process's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The authorities of <see cref="RaftTlsOptions.TrustedCaPaths"/>.</summary>
    public X509Certificate2Collection Authorities { get; }

    public TimeSpan HandshakeTimeout { get; }

    /// <summary>
    /// Reads the certificate and authorities of <paramref name="options"/>, and checks that the certificate carries
    /// <paramref name="usages"/> and chains to one of the authorities, as every peer will check it.
    /// <paramref name="what"/> names the certificate in messages ("the silo's certificate (Orleans:Tls)").
    /// </summary>
    public static RaftTlsCredentials Load(RaftTlsOptions options, string what, IReadOnlyCollection<string> usages)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(what);
        ArgumentNullException.ThrowIfNull(usages);
        var fromStore = options.StoreThumbprint is { Length: > 0 } || options.StoreSubject is { Length: > 0 };
        if (!fromStore && string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            throw new RaftTlsException($"TLS of {what} needs a certificate: CertificatePath (PEM with KeyPath, or PKCS#12), or StoreThumbprint or StoreSubject for the certificate store.");
        }

        if (options.TrustedCaPaths.Count == 0)
        {
            throw new RaftTlsException($"TLS of {what} needs TrustedCaPaths: the PEM files of the cluster's authority, whose signature every peer must present.");
        }

        if (options.HandshakeTimeout <= TimeSpan.Zero)
        {
            throw new RaftTlsException($"TLS of {what}: HandshakeTimeout must be positive, not {options.HandshakeTimeout}.");
        }

        var authorities = RaftCertificates.LoadAuthorities(options.TrustedCaPaths);
        var certificate = fromStore
            ? RaftCertificates.LoadFromStore(what, options.StoreName, options.StoreLocation, options.StoreThumbprint, options.StoreSubject)
            : RaftCertificates.LoadCertificate(what, options.CertificatePath!, options.KeyPath, options.CertificatePassword);
        if (RaftCertificates.Refusal(certificate, authorities, usages) is { } refusal)
        {
            var described = RaftCertificates.Describe(certificate);
            certificate.Dispose();
            throw new RaftTlsException(
                $"{char.ToUpperInvariant(what[0])}{what[1..]} {described} would be refused by every peer: {refusal}. "
                + $"Trusted authorities: {string.Join(", ", authorities.Select(a => $"'{a.Subject}'"))} (from {string.Join(", ", options.TrustedCaPaths)}).");
        }

        return new RaftTlsCredentials(certificate, authorities, options.HandshakeTimeout);
    }

    /// <summary>
    /// Whether the peer's certificate on <paramref name="link"/> ("an incoming silo link") is accepted: it chains to
    /// one of <see cref="Authorities"/> and carries <paramref name="usages"/>. A refusal is logged with the peer's
    /// certificate and the reason, as a warning.
    /// </summary>
    public bool Accepts(string link, X509Certificate2? peer, X509Chain? presented, IReadOnlyCollection<string> usages, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (peer is null)
        {
            PeerRefused(logger, link, "no certificate", "the peer presented none, and mutual TLS requires one");
            return false;
        }

        if (RaftCertificates.Refusal(peer, Authorities, usages, presented) is not { } refusal)
        {
            return true;
        }

        PeerRefused(logger, link, RaftCertificates.Describe(peer), refusal);
        return false;
    }

    /// <summary>Releases the certificates (the service provider that holds these credentials does it as it is disposed).</summary>
    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var authority in Authorities)
        {
            authority.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS: refused the certificate {Certificate} on {Link}: {Reason}.")]
    private static partial void PeerRefused(ILogger logger, string link, string certificate, string reason);
}
