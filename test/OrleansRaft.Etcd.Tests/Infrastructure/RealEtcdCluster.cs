using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Etcd.Tests.Infrastructure;

/// <summary>
/// A throwaway three-member etcd 3.4 cluster (Debian's etcd-server, <see cref="Path"/>) on free loopback ports, with its
/// data in a test folder: what the gateway's answers are compared with. Disposing stops every member and removes the
/// folder; the members are killed at the test process's exit too.
/// </summary>
public sealed class RealEtcdCluster : IAsyncLifetime
{
    public const string Path = "/usr/bin/etcd";

    private readonly List<ChildProcess> _members = [];
    private string? _folder;

    /// <summary>Each member's client endpoint, <c>127.0.0.1:port</c>.</summary>
    public IReadOnlyList<string> Endpoints { get; private set; } = [];

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"{Path} is missing: install Debian's etcd-server package (apt-get install -y etcd-server), as .ci/run does.");
        }

        _folder = TestFolders.Create("etcd");
        var ports = FreePorts(6);
        var names = new[] { "m1", "m2", "m3" };
        var cluster = string.Join(",", names.Select((name, i) => $"{name}=http://127.0.0.1:{ports[2 * i + 1]}"));
        for (var i = 0; i < names.Length; i++)
        {
            string client = $"http://127.0.0.1:{ports[2 * i]}", peer = $"http://127.0.0.1:{ports[2 * i + 1]}";
            _members.Add(ChildProcess.Start(Path,
            [
                "--name", names[i], "--data-dir", System.IO.Path.Combine(_folder, names[i]),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", cluster, "--initial-cluster-token", "parity", "--initial-cluster-state", "new",
                "--logger", "zap", "--log-outputs", "stderr",
            ], new ChildProcessOptions { Bound = TimeSpan.FromHours(1) }));
        }

        Endpoints = [.. ports.Where((_, i) => i % 2 == 0).Select(p => $"127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)}")];
        await EtcdGatewayCluster.WaitUntilAsync(async () =>
        {
            var status = await Etcdctl.RunUntilAsync(string.Join(",", Endpoints), "endpoint status -w json", null, null, Etcdctl.Bound);
            if (status.ExitCode != 0)
            {
                return false;
            }

            using var json = JsonDocument.Parse(status.Output);
            return json.RootElement.GetArrayLength() == 3 && json.RootElement.EnumerateArray().All(e => e.GetProperty("Status").GetProperty("leader").GetUInt64() != 0);
        }, "the etcd members to elect a leader");
    }

    public Task DisposeAsync()
    {
        foreach (var member in _members)
        {
            member.Dispose();
        }

        if (_folder is not null)
        {
            // Each member has exited by now (ChildProcess.Dispose waits for it), so nothing holds the files open.
            TestFolders.Delete(_folder);
        }

        return Task.CompletedTask;
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}
