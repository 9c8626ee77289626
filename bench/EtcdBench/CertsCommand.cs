using OrleansRaft.Etcd.Hosting;
using OrleansRaft.Security;

namespace OrleansRaft.EtcdBench;

/// <summary>
/// Writes a throwaway authority and a server certificate for 127.0.0.1 into a folder, and prints their paths
/// (<c>CA</c>, <c>CERT</c>, <c>KEY</c> lines): the TLS setup etcd and the gateway share in a <c>--tls</c> run.
/// </summary>
internal static class CertsCommand
{
    public static int Run(string[] args)
    {
        if (args is not ["--out", var folder])
        {
            Console.Error.WriteLine("certs: needs --out FOLDER.");
            return 2;
        }

        var certificates = new ThrowawayCertificates(folder, TimeSpan.FromDays(1));
        var ca = certificates.NewAuthority("bench-ca", out var authority);
        var server = certificates.NewServer(authority, "bench-server");
        Console.WriteLine($"CA {ca.Certificate}");
        Console.WriteLine($"CERT {server.Certificate}");
        Console.WriteLine($"KEY {server.Key}");
        return 0;
    }
}
