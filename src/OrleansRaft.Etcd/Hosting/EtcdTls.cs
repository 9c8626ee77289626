using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace OrleansRaft.Etcd.Hosting;

/// <summary>TLS on a Kestrel endpoint of the gateway, from <see cref="EtcdTlsOptions"/>; also for hosts that set up Kestrel themselves.</summary>
public static class EtcdTls
{
    /// <summary>RFC 5280's id-kp-clientAuth: client certificates are checked for it, as Go's TLS stack checks them for etcd.</summary>
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>RFC 5280's id-kp-serverAuth.</summary>
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

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
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection authorities, string usage = ClientAuthentication)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(authorities);
        if (authorities.Count == 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(usage));
        return chain.Build(certificate);
    }

    /// <summary>The certificate with its private key: PKCS#12 by extension, else PEM with <see cref="EtcdTlsOptions.KeyPath"/>.</summary>
    public static X509Certificate2 LoadCertificate(EtcdTlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        var path = tls.CertificatePath;
        try
        {
            if (path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase))
            {
                return X509CertificateLoader.LoadPkcs12FromFile(path, tls.CertificatePassword);
            }

            var key = tls.KeyPath ?? throw new ArgumentException($"The PEM certificate {path} needs EtcdTlsOptions.KeyPath (its private key).");
            return tls.CertificatePassword is { } password
                ? X509Certificate2.CreateFromEncryptedPemFile(path, password, key)
                : X509Certificate2.CreateFromPemFile(path, key);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidOperationException($"The etcd gateway's certificate could not be read from {path}{(tls.KeyPath is null ? "" : $" and {tls.KeyPath}")}: {e.Message}", e);
        }
    }

    /// <summary>Every certificate of the PEM files <paramref name="paths"/>.</summary>
    public static X509Certificate2Collection LoadAuthorities(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var authorities = new X509Certificate2Collection();
        foreach (var path in paths)
        {
            try
            {
                authorities.ImportFromPemFile(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new InvalidOperationException($"The trusted authorities could not be read from {path}: {e.Message}", e);
            }
        }

        return authorities;
    }
}
