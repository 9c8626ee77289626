using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using dotnet_etcd;
using Grpc.Core;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Etcd.Tests.Infrastructure;

/// <summary>
/// A throwaway single-member etcd 3.4 (<see cref="Path"/>): the reference the gateway is compared with. It listens on
/// free loopback ports, keeps its data in its own folder under <see cref="TestFolders.Root"/>, and is stopped and its
/// folder removed on dispose (and at the test process's exit).
/// </summary>
public sealed class RealEtcd : IAsyncLifetime
{
    public const string Path = "/usr/bin/etcd";

    private ChildProcess? _process;
    private string? _folder;

    /// <summary>The client URL, <c>http://127.0.0.1:port</c>.</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>The client endpoint as etcdctl takes it, <c>127.0.0.1:port</c>.</summary>
    public string Authority => new Uri(Endpoint).Authority;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"{Path} is missing: install Debian's etcd-server package (apt-get install -y etcd-server), as .ci/run does.");
        }

        _folder = TestFolders.Create("etcd");
        var (client, peer) = (FreePort(), FreePort());
        Endpoint = $"http://127.0.0.1:{client}";
        var peerUrl = $"http://127.0.0.1:{peer}";
        _process = ChildProcess.Start(Path,
        [
            "--name=reference",
            $"--data-dir={System.IO.Path.Combine(_folder, "data")}",
            $"--listen-client-urls={Endpoint}",
            $"--advertise-client-urls={Endpoint}",
            $"--listen-peer-urls={peerUrl}",
            $"--initial-advertise-peer-urls={peerUrl}",
            $"--initial-cluster=reference={peerUrl}",
            "--log-level=error",
        ], new ChildProcessOptions { Bound = TimeSpan.FromMinutes(30) });

        using var probe = Connect();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await probe.StatusAsync(new Etcdserverpb.StatusRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                return;
            }
            catch (Exception e) when (NotUpYet(e) && clock.Elapsed < EtcdGatewayCluster.Bound && !_process.HasExited)
            {
                await Task.Delay(50);
            }
            catch (Exception e) when (NotUpYet(e))
            {
                throw new InvalidOperationException($"etcd did not answer on {Endpoint}: {e.Message}; it printed: {_process.Stderr}{_process.Stdout}", e);
            }
        }
    }

    public EtcdClient Connect() =>
        new(Endpoint, configureChannelOptions: options => options.Credentials = ChannelCredentials.Insecure);

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            // SIGINT: etcd closes its data files before it exits, so that its folder can be removed.
            if (!_process.HasExited)
            {
                _process.Interrupt();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        if (_folder is not null)
        {
            TestFolders.Delete(_folder);
        }
    }

    /// <summary>What a call to an etcd that is still starting fails with (the client gives up at its deadline by cancelling).</summary>
    private static bool NotUpYet(Exception e) => e is RpcException or OperationCanceledException;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
