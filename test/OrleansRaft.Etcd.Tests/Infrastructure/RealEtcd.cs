using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Etcd.Tests.Infrastructure;

/// <summary>
/// A throwaway single-member etcd 3.4 (Debian's <c>/usr/bin/etcd</c>) on free loopback ports, its data in a test
/// folder: the reference that parity tests record etcd's own answers from. Disposing it stops it and removes its folder.
/// </summary>
public sealed class RealEtcd : IAsyncDisposable
{
    public const string Path = "/usr/bin/etcd";

    private readonly ChildProcess _process;
    private readonly string _folder;

    private RealEtcd(ChildProcess process, string folder, string endpoint)
    {
        _process = process;
        _folder = folder;
        Endpoint = endpoint;
    }

    /// <summary><c>127.0.0.1:port</c>, as etcdctl takes it.</summary>
    public string Endpoint { get; }

    /// <summary>Starts etcd with <paramref name="extraArguments"/>, and waits until it serves clients.</summary>
    public static async Task<RealEtcd> StartAsync(string scheme = "http", params string[] extraArguments)
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"{Path} is missing: install Debian's etcd-server package (apt-get install -y etcd-server).");
        }

        var folder = TestFolders.Create("etcd");
        var (client, peer) = (FreePort(), FreePort());
        var clientUrl = $"{scheme}://127.0.0.1:{client.ToString(CultureInfo.InvariantCulture)}";
        var peerUrl = $"http://127.0.0.1:{peer.ToString(CultureInfo.InvariantCulture)}";
        var process = ChildProcess.Start(Path,
        [
            "--name=reference", $"--data-dir={System.IO.Path.Combine(folder, "data")}",
            $"--listen-client-urls={clientUrl}", $"--advertise-client-urls={clientUrl}",
            $"--listen-peer-urls={peerUrl}", $"--initial-advertise-peer-urls={peerUrl}", $"--initial-cluster=reference={peerUrl}",
            .. extraArguments,
        ], new ChildProcessOptions { Bound = TimeSpan.FromMinutes(10) });
        var etcd = new RealEtcd(process, folder, $"127.0.0.1:{client.ToString(CultureInfo.InvariantCulture)}");
        try
        {
            var clock = Stopwatch.StartNew();
            while (!process.Stderr.Contains("ready to serve client requests", StringComparison.Ordinal))
            {
                if (process.HasExited || clock.Elapsed > EtcdGatewayCluster.Bound)
                {
                    throw new InvalidOperationException($"etcd did not start serving within {EtcdGatewayCluster.Bound}:\n{process.Stderr}");
                }

                await Task.Delay(50);
            }

            return etcd;
        }
        catch
        {
            await etcd.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Interrupt();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        TestFolders.Delete(_folder);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
