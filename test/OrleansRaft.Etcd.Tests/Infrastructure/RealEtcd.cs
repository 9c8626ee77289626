using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using dotnet_etcd;
using Grpc.Core;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Etcd.Tests.Infrastructure;

/// <summary>
/// A throwaway single-member etcd 3.4 (<see cref="Path"/>): the reference the gateway is compared with. It listens on
/// free loopback ports, keeps its data in its own folder under <see cref="TestFolders.Root"/>, and is stopped and its
/// folder removed on dispose (and at the test process's exit). As a class fixture it serves cleartext with etcd's
/// defaults; <see cref="StartAsync"/> starts one with another scheme or more arguments.
/// </summary>
public sealed class RealEtcd : IAsyncLifetime, IAsyncDisposable
{
    public const string Path = "/usr/bin/etcd";

    private readonly string _scheme;
    private readonly string[] _extraArguments;
    private ChildProcess? _process;
    private string? _folder;

    public RealEtcd()
        : this("http", [])
    {
    }

    private RealEtcd(string scheme, string[] extraArguments)
    {
        _scheme = scheme;
        _extraArguments = extraArguments;
    }

    /// <summary>The client URL, <c>scheme://127.0.0.1:port</c>.</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>The client endpoint as etcdctl takes it, <c>127.0.0.1:port</c>.</summary>
    public string Authority => new Uri(Endpoint).Authority;

    /// <summary>Starts etcd on <paramref name="scheme"/> with <paramref name="extraArguments"/>, and waits until it serves clients.</summary>
    public static async Task<RealEtcd> StartAsync(string scheme = "http", params string[] extraArguments)
    {
        var etcd = new RealEtcd(scheme, extraArguments);
        try
        {
            await etcd.InitializeAsync();
            return etcd;
        }
        catch
        {
            await etcd.DisposeAsync();
            throw;
        }
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"{Path} is missing: install Debian's etcd-server package (apt-get install -y etcd-server), as .ci/run does.");
        }

        _folder = TestFolders.Create("etcd");
        var (client, peer) = (FreePort(), FreePort());
        Endpoint = $"{_scheme}://127.0.0.1:{client.ToString(CultureInfo.InvariantCulture)}";
        var peerUrl = $"http://127.0.0.1:{peer.ToString(CultureInfo.InvariantCulture)}";
        _process = ChildProcess.Start(Path,
        [
            "--name=reference",
            $"--data-dir={System.IO.Path.Combine(_folder, "data")}",
            $"--listen-client-urls={Endpoint}",
            $"--advertise-client-urls={Endpoint}",
            $"--listen-peer-urls={peerUrl}",
            $"--initial-advertise-peer-urls={peerUrl}",
            $"--initial-cluster=reference={peerUrl}",
            .. _extraArguments,
        ], new ChildProcessOptions { Bound = TimeSpan.FromMinutes(30) });

        // etcd says so on its standard error once it serves clients, whatever their transport.
        var clock = Stopwatch.StartNew();
        while (!_process.Stderr.Contains("ready to serve client requests", StringComparison.Ordinal))
        {
            if (_process.HasExited || clock.Elapsed > EtcdGatewayCluster.Bound)
            {
                throw new InvalidOperationException($"etcd did not start serving on {Endpoint} within {EtcdGatewayCluster.Bound}; it printed: {_process.Stderr}{_process.Stdout}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A dotnet-etcd client of a cleartext etcd.</summary>
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
            _process = null;
        }

        if (_folder is not null)
        {
            TestFolders.Delete(_folder);
            _folder = null;
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
