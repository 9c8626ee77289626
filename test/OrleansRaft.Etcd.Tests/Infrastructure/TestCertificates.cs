using System.Security.Cryptography.X509Certificates;
using OrleansRaft.Etcd.Hosting;
using OrleansRaft.TestSupport;
using OrleansRaft.Security;

namespace OrleansRaft.Etcd.Tests.Infrastructure;

/// <summary><see cref="ThrowawayCertificates"/> in a test folder that disposing removes.</summary>
public sealed class TestCertificates : IDisposable
{
    private readonly string _folder = TestFolders.Create("certs");
    private readonly ThrowawayCertificates _certificates;

    public TestCertificates()
    {
        _certificates = new ThrowawayCertificates(_folder, TimeSpan.FromDays(1));
    }

    public PemFiles NewAuthority(string name, out X509Certificate2 authority) => _certificates.NewAuthority(name, out authority);

    public PemFiles NewServer(X509Certificate2 authority, string name) => _certificates.NewServer(authority, name);

    public PemFiles NewClient(X509Certificate2 authority, string user) => _certificates.NewClient(authority, user);

    public void Dispose() => TestFolders.Delete(_folder);
}
