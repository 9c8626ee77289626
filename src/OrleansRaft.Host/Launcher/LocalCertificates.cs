using System.Security.Cryptography.X509Certificates;
using OrleansRaft.Security;

namespace OrleansRaft.Host.Launcher;

/// <summary>The files of a local cluster's TLS: its authority's certificate, each silo's certificate and key, and the client's.</summary>
internal sealed record LocalTls(string Authority, PemFiles[] Silos, PemFiles Client);

/// <summary>
/// The throwaway certificates of a local cluster, in <c>{data-dir}/tls</c> (owner-only): an authority
/// (<c>ca.crt</c>, <c>ca.key</c>) kept across runs while it has a month left, so that clients set up with it go on
/// working, and certificates issued from it anew at every start for each silo (<c>silo-N</c>, serverAuth and
/// clientAuth) and for clients (<c>client</c>, clientAuth). Keys are unencrypted PEM files readable by their owner
/// alone: good for a machine's own cluster, not for production.
/// </summary>
internal static class LocalCertificates
{
    public const string FolderName = "tls";
    public const string AuthorityName = "ca";

    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    public static LocalTls Issue(string dataDir, int silos)
    {
        var folder = Path.Combine(dataDir, FolderName);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var certificates = new ThrowawayCertificates(folder, Lifetime);
        var files = new PemFiles(Path.Combine(folder, $"{AuthorityName}.crt"), Path.Combine(folder, $"{AuthorityName}.key"));
        using var authority = LoadAuthority(files) ?? NewAuthority(certificates, out files);
        var siloFiles = Enumerable.Range(1, silos).Select(n => certificates.NewSilo(authority, $"orleansraft-silo-{n}", $"silo-{n}")).ToArray();
        var client = certificates.NewClient(authority, "orleansraft-client", "client");
        return new LocalTls(files.Certificate, siloFiles, client);
    }

    /// <summary>The authority of an earlier run, unless it is missing, unreadable or near its end.</summary>
    private static X509Certificate2? LoadAuthority(PemFiles files)
    {
        if (!File.Exists(files.Certificate) || !File.Exists(files.Key))
        {
            return null;
        }

        try
        {
            var authority = ThrowawayCertificates.LoadAuthority(files);
            if (authority.NotAfter.ToUniversalTime() - DateTime.UtcNow > RenewBefore)
            {
                return authority;
            }

            authority.Dispose();
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // Replaced below, as if it were missing.
        }

        return null;
    }

    private static X509Certificate2 NewAuthority(ThrowawayCertificates certificates, out PemFiles files)
    {
        files = certificates.NewAuthority("orleansraft-local-ca", out var authority, AuthorityName);
        return authority;
    }
}
