namespace OrleansRaft.Etcd.Hosting;

/// <summary>
/// TLS of the etcd gateway's endpoint (etcd's <c>--cert-file</c>, <c>--key-file</c>, <c>--trusted-ca-file</c> and
/// <c>--client-cert-auth</c>). The certificate is read once, when the endpoint is set up.
/// </summary>
public sealed class EtcdTlsOptions
{
    /// <summary>The server certificate: a PEM file (with <see cref="KeyPath"/>), or a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>).</summary>
    public string CertificatePath { get; set; } = "";

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/>; null when the certificate file holds its key.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The password of a PKCS#12 certificate, or of an encrypted PEM key. A secret: never logged.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// PEM files of the authorities a client certificate must chain to (each file may hold several). Two at once while
    /// a client authority is rotated: trust the new one beside the old, reissue the clients, then drop the old.
    /// </summary>
    public IList<string> TrustedCaPaths { get; } = [];

    /// <summary>
    /// Require a client certificate signed by one of <see cref="TrustedCaPaths"/>; a call without a token is then made
    /// as the user named by the certificate's common name, as etcd does with <c>--client-cert-auth</c>.
    /// </summary>
    public bool ClientCertAuth { get; set; }

    public override string ToString() =>
        $"certificate {CertificatePath}{(KeyPath is null ? "" : $" (key {KeyPath})")}, trusted authorities [{string.Join(", ", TrustedCaPaths)}], client-cert-auth {ClientCertAuth}";

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(CertificatePath))
        {
            throw new ArgumentException("EtcdTlsOptions.CertificatePath must name the gateway's certificate (PEM with KeyPath, or PKCS#12).");
        }

        if (ClientCertAuth && TrustedCaPaths.Count == 0)
        {
            throw new ArgumentException("EtcdTlsOptions.ClientCertAuth needs TrustedCaPaths: the authorities whose client certificates are accepted.");
        }
    }
}
