using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using OrleansRaft.Security;

namespace OrleansRaft.Etcd.Hosting;

/// <summary>TLS on a Kestrel endpoint of the gateway, from <see cref="EtcdTlsOptions"/>; also for hosts that set up Kestrel themselves.</summary>
public static class EtcdTls
{
    /// <summary>RFC 5280's id-kp-clientAuth: client certificates are checked for it, as Go's TLS stack checks them for etcd.</summary>
    public const string ClientAuthentication = RaftCertificates.ClientAuthentication;

    /// <summary>RFC 5280's id-kp-serverAuth.</summary>
    public const string ServerAuthentication = RaftCertificates.ServerAuthentication;

    /// <summary>Serves <paramref name="listen"/> over TLS with the certificate and client-certificate rules of <paramref name="tls"/>.</summary>
    public static ListenOptions UseOrleansRaftEtcdTls(this ListenOptions listen, EtcdTlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(tls);
        tls.Validate();
        var certificate = LoadCertificate(tls);
        var authorities = LoadAuthorities(tls.TrustedCaPaths);
        return listen.UseHttps(https =>
        {
            https.ServerCertificate = certificate;
            https.ClientCertificateMode = tls.ClientCertAuth ? ClientCertificateMode.RequireCertificate
                : authorities.Count > 0 ? ClientCertificateMode.AllowCertificate
                : ClientCertificateMode.NoCertificate;
            https.ClientCertificateValidation = (presented, _, _) => ChainsTo(presented, authorities);
        });
    }

    /// <summary>
    /// Whether <paramref name="certificate"/> chains to one of <paramref name="authorities"/> (and to no other root), and
    /// is meant for <paramref name="usage"/> (<see cref="ClientAuthentication"/> unless told).
    /// </summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection authorities, string usage = ClientAuthentication) =>
        RaftCertificates.Refusal(certificate, authorities, [usage]) is null;

    /// <summary>The certificate with its private key: PKCS#12 by extension, else PEM with <see cref="EtcdTlsOptions.KeyPath"/>.</summary>
    public static X509Certificate2 LoadCertificate(EtcdTlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        return RaftCertificates.LoadCertificate("the etcd gateway's certificate (Etcd:Tls)", tls.CertificatePath, tls.KeyPath, tls.CertificatePassword);
    }

    /// <summary>Every certificate of the PEM files <paramref name="paths"/>.</summary>
    public static X509Certificate2Collection LoadAuthorities(IEnumerable<string> paths) => RaftCertificates.LoadAuthorities(paths);
}
