using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansRaft.Security;

/// <summary>
/// Reading certificates and checking a peer's against a set of authorities: shared by the Orleans links' TLS
/// (<see cref="RaftTlsOptions"/>) and the etcd gateway's. Every failure is a <see cref="RaftTlsException"/> whose message
/// names the file or the certificate and never a password.
/// </summary>
public static class RaftCertificates
{
    /// <summary>RFC 5280's id-kp-serverAuth.</summary>
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    /// <summary>RFC 5280's id-kp-clientAuth.</summary>
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>
    /// The certificate with its private key: PKCS#12 by extension (<c>.pfx</c>, <c>.p12</c>), else PEM, its key in
    /// <paramref name="keyPath"/> or in the certificate file itself. <paramref name="what"/> names it in messages
    /// ("the silo's certificate (Orleans:Tls)").
    /// </summary>
    public static X509Certificate2 LoadCertificate(string what, string path, string? keyPath, string? password)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(what);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        RequireFile(what, path);
        if (keyPath is not null)
        {
            RequireFile($"the private key of {what}", keyPath);
        }

        X509Certificate2 certificate;
        var pkcs12 = path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);
        try
        {
            if (pkcs12)
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
            }
            else if (password is not null && keyPath is not null)
            {
                certificate = X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
            }
            else
            {
                certificate = X509Certificate2.CreateFromPemFile(path, keyPath);
            }
        }
        catch (CryptographicException e) when (pkcs12)
        {
            throw new RaftTlsException(
                $"{Capitalized(what)} could not be read from the PKCS#12 file {path}: {e.Message.TrimEnd('.')}. "
                + (password is null ? "No password was given; a PKCS#12 file usually needs one." : "Is the password the file's?"), e);
        }
        catch (CryptographicException e) when (keyPath is null)
        {
            throw new RaftTlsException(
                $"{Capitalized(what)} could not be read from {path}: {e.Message.TrimEnd('.')}. A PEM certificate needs its private key, "
                + "in the same file or in a key file of its own (KeyPath).", e);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new RaftTlsException(
                $"{Capitalized(what)} could not be read from {path}{(keyPath is null ? "" : $" and {keyPath}")}: {e.Message.TrimEnd('.')}.", e);
        }

        if (!certificate.HasPrivateKey)
        {
            var subject = certificate.Subject;
            certificate.Dispose();
            throw new RaftTlsException($"{Capitalized(what)} in {path} ({subject}) comes without its private key, which TLS needs to prove it is this process's.");
        }

        return certificate;
    }

    /// <summary>
    /// The certificate of the store <paramref name="location"/>/<paramref name="name"/> with the thumbprint
    /// <paramref name="thumbprint"/>, or the newest one currently valid whose subject name is <paramref name="subject"/>;
    /// it must hold its private key.
    /// </summary>
    public static X509Certificate2 LoadFromStore(string what, StoreName name, StoreLocation location, string? thumbprint, string? subject)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(what);
        using var store = new X509Store(name, location);
        try
        {
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
        }
        catch (CryptographicException e)
        {
            throw new RaftTlsException($"{Capitalized(what)}: the certificate store {location}/{name} could not be opened: {e.Message.TrimEnd('.')}.", e);
        }

        var found = thumbprint is { Length: > 0 }
            ? store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint.Replace(" ", "", StringComparison.Ordinal), validOnly: false)
            : store.Certificates.Find(X509FindType.FindBySubjectName, subject ?? "", validOnly: false);
        var now = DateTime.Now;
        var chosen = found
            .Where(c => c.HasPrivateKey && c.NotBefore <= now && now <= c.NotAfter)
            .OrderByDescending(c => c.NotAfter)
            .FirstOrDefault();
        var searched = thumbprint is { Length: > 0 } ? $"thumbprint {thumbprint}" : $"subject '{subject}'";
        if (chosen is null)
        {
            var why = found.Count == 0 ? "there is none" : $"{found.Count} match, none currently valid with its private key";
            throw new RaftTlsException($"{Capitalized(what)}: no certificate with {searched} in the store {location}/{name} ({why}).");
        }

        return chosen;
    }

    /// <summary>Every certificate of the PEM files <paramref name="paths"/>; at least one in all.</summary>
    public static X509Certificate2Collection LoadAuthorities(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var authorities = new X509Certificate2Collection();
        foreach (var path in paths)
        {
            RequireFile("the trusted authority file", path);
            try
            {
                authorities.ImportFromPemFile(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                throw new RaftTlsException($"The trusted authorities could not be read from {path}: {e.Message.TrimEnd('.')}.", e);
            }
        }

        return authorities;
    }

    /// <summary>
    /// Why <paramref name="certificate"/> is refused, or null when it chains to one of <paramref name="authorities"/> (and
    /// to no other root) and carries every one of <paramref name="usages"/> (a certificate without an extended key usage
    /// extension is good for any). <paramref name="presented"/>, the chain a TLS peer sent, supplies intermediates.
    /// </summary>
    public static string? Refusal(X509Certificate2 certificate, X509Certificate2Collection authorities, IReadOnlyCollection<string> usages, X509Chain? presented = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(authorities);
        ArgumentNullException.ThrowIfNull(usages);
        if (authorities.Count == 0)
        {
            return "no authority is trusted";
        }

        var missing = usages.Where(u => !AllowsUsage(certificate, u)).Select(UsageName).ToArray();
        if (missing.Length > 0)
        {
            return $"it is not meant for {string.Join(" and ", missing)} (its extended key usage lacks it)";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (chain.Build(certificate))
        {
            return null;
        }

        var status = chain.ChainStatus.Select(s => s.Status == X509ChainStatusFlags.PartialChain || s.Status == X509ChainStatusFlags.UntrustedRoot
            ? "it is not signed by a trusted authority"
            : s.StatusInformation.Trim().TrimEnd('.')).Distinct();
        return string.Join("; ", status);
    }

    /// <summary>A certificate as messages name it: subject, issuer, thumbprint and end of validity.</summary>
    public static string Describe(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return $"'{certificate.Subject}' (issuer '{certificate.Issuer}', thumbprint {certificate.Thumbprint}, valid until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC)";
    }

    private static bool AllowsUsage(X509Certificate2 certificate, string usage)
    {
        var extension = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        return extension is null || extension.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == usage);
    }

    private static string UsageName(string usage) => usage switch
    {
        ServerAuthentication => "TLS servers (serverAuth)",
        ClientAuthentication => "TLS clients (clientAuth)",
        _ => usage,
    };

    private static void RequireFile(string what, string path)
    {
        if (!File.Exists(path))
        {
            throw new RaftTlsException($"{Capitalized(what)}: the file {path} does not exist.");
        }
    }

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
