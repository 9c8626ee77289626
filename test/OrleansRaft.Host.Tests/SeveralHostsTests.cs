using System.Diagnostics;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.Host.Tests.Infrastructure;
using OrleansRaft.KeyValue;
using OrleansRaft.TestSupport;
using Xunit.Abstractions;

namespace OrleansRaft.Host.Tests;

/// <summary>
/// Three silos as on three machines: each in a network namespace of its own with its own address on a bridge, bound to
/// and advertising that address, and PostgreSQL on a fourth address (the bridge's, in the test's namespace). They form
/// a cluster and elect a leader; the leader's namespace is cut off the network (its link down), the other two elect a
/// new leader and keep committing, and once the link is back the cut-off member catches up. Runs only with
/// <c>ORLEANSRAFT_NETNS_TESTS=1</c> (root and iproute2).
/// </summary>
public sealed class SeveralHostsTests(ITestOutputHelper output)
{
    private const string Group = "kv";
    private const int Hosts = 3;

    /// <summary>Every silo uses the same ports: each namespace has a network stack of its own.</summary>
    private const int SiloPort = 11111;
    private const int GatewayPort = 30000;
    private const int StatusPort = 8080;

    /// <summary>Puts each phase must see acknowledged.</summary>
    private const int Puts = 20;

    /// <summary>Generous, for a loaded machine.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    private static readonly KvCallOptions Patient = new() { Timeout = TimeSpan.FromSeconds(30) };

    [NetnsFact]
    public async Task Silos_on_three_addresses_form_a_cluster_survive_the_leaders_host_cut_off_and_catch_it_up_after()
    {
        var clock = Stopwatch.StartNew();
        void Say(string text) => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s: {text}");

        using var namespaces = NetworkNamespaces.Create(Hosts);
        Say($"namespaces {namespaces.Name}-1..{Hosts} at {namespaces.Address(1)}..{namespaces.Address(Hosts)}, bridge {namespaces.HostAddress}");
        using var postgres = PostgresServer.Start(new Dictionary<string, string?>
        {
            ["ORLEANSRAFT_POSTGRES_LISTEN"] = namespaces.HostAddress,
            ["ORLEANSRAFT_POSTGRES_CLIENTS"] = namespaces.Subnet,
        });
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Host = namespaces.HostAddress }.ConnectionString;
        Say($"PostgreSQL on {namespaces.HostAddress}");

        var folder = TestFolders.Create("hosts");
        var silos = new List<ChildProcess>();
        try
        {
            var token = Convert.ToHexString(Guid.NewGuid().ToByteArray());
            for (var k = 1; k <= Hosts; k++)
            {
                silos.Add(StartSilo(namespaces, k, connectionString, token, folder));
            }

            var statusUrls = Enumerable.Range(1, Hosts).Select(k => $"http://{namespaces.Address(k)}:{StatusPort}/").ToArray();
            await Wait.UntilAsync(
                async () => (await Task.WhenAll(statusUrls.Select(u => StatusReader.ReadAsync(u)))).All(r => r.Groups.Any(g => g.Id == Group)),
                Bound,
                $"every silo's status page to list group {Group}");
            var before = await StatusReader.LeaderAsync(statusUrls[0], Group, g => g.Members.Length == Hosts && g.Members.All(m => m.Silo is not null), Bound);
            var placed = before.Members.Select(m => HostOf(namespaces, m.Silo!)).ToArray();
            Assert.Equal(Enumerable.Range(1, Hosts), placed.Order());
            var cut = HostOf(namespaces, before.LeaderMember.Silo!);
            Say($"cluster formed: member {before.Leader} leads in term {before.Term} on host {cut}; members on hosts {string.Join(",", placed)}");

            var cluster = new ClusterJson(
                [.. Enumerable.Range(1, Hosts).Select(k => $"{namespaces.Address(k)}:{GatewayPort}")], statusUrls, "orleansraft", "orleansraft", Group);
            await using var connection = await KvConnection.ConnectAsync(cluster, tls: null);
            var kv = connection.Kv;
            var written = 0;
            async Task PutAsync(int count)
            {
                for (var i = 0; i < count; i++, written++)
                {
                    await kv.PutAsync($"hosts/{written:D4}", $"v{written}", Patient);
                }
            }

            await PutAsync(Puts);
            Say($"{written} puts acknowledged before the cut");

            namespaces.Cut(cut);
            var sinceCut = Stopwatch.StartNew();
            var live = Enumerable.Range(1, Hosts).Where(k => k != cut).ToArray();
            var after = await StatusReader.LeaderAsync(
                statusUrls[live[0] - 1], Group, g => g.Term > before.Term && HostOf(namespaces, g.LeaderMember.Silo!) != cut, Bound);
            Say($"host {cut} cut off: member {after.Leader} leads in term {after.Term} on host {HostOf(namespaces, after.LeaderMember.Silo!)}, {sinceCut.Elapsed.TotalSeconds:F1} s after the cut");
            await PutAsync(Puts);
            Say($"{written} puts acknowledged, {Puts} of them with host {cut} cut off ({sinceCut.Elapsed.TotalSeconds:F1} s after the cut)");

            namespaces.Heal(cut);
            Say($"host {cut} back on the network");
            await PutAsync(Puts);
            var leader = await StatusReader.LeaderAsync(statusUrls[live[0] - 1], Group, bound: Bound);
            var target = leader.LeaderMember.Commit ?? 0;
            var group = connection.Orleans.GetGrain<IRaftGroupGrain>(Group);
            var caughtUp = await Wait.ForAsync(
                async () => (await group.GetStatusAsync())?.Members.SingleOrDefault(m => m.MemberId == before.Leader)?.Status is { } s && s.Applied >= target ? s : null,
                Bound,
                $"member {before.Leader}, cut off on host {cut}, to apply index {target}");
            Say($"member {before.Leader} caught up to index {caughtUp.Applied} (the leader's commit was {target}) on {(caughtUp.Silo.Contains($"{namespaces.Address(cut)}:", StringComparison.Ordinal) ? $"host {cut} again" : caughtUp.Silo)}");

            var keys = await kv.GetPrefixAsync("hosts/", Patient);
            Assert.Equal(Enumerable.Range(0, written).Select(i => $"hosts/{i:D4}=v{i}"), keys.Kvs.Select(e => $"{KvBytes.ToText(e.Key)}={KvBytes.ToText(e.Value)}"));
            Assert.All(silos, s => Assert.False(s.HasExited, $"a silo exited:\n{s.Stdout}\n{s.Stderr}"));
            Say($"all {written} puts read back; every silo still runs");
        }
        catch
        {
            // What each silo said of its Raft members, for a failed run (the processes and their output end with it).
            for (var k = 0; k < silos.Count; k++)
            {
                output.WriteLine($"--- host {k + 1}, the end of its Raft lines and warnings:");
                foreach (var line in silos[k].Stdout.Split('\n').Where(l => l.Contains("Raft", StringComparison.Ordinal) || l.Contains(" warn: ", StringComparison.Ordinal)).TakeLast(40))
                {
                    output.WriteLine(line.Length > 300 ? line[..300] : line);
                }
            }

            throw;
        }
        finally
        {
            foreach (var silo in silos)
            {
                silo.Dispose();
            }

            TestFolders.Delete(folder);
        }
    }

    /// <summary>A silo in namespace <paramref name="k"/>, configured as on a machine of its own (see README, "Running on three machines").</summary>
    private static ChildProcess StartSilo(NetworkNamespaces namespaces, int k, string connectionString, string token, string folder)
    {
        var address = namespaces.Address(k);
        var environment = new Dictionary<string, string?>
        {
            ["ORLEANSRAFT_ConnectionStrings__Postgres"] = connectionString,
            ["ORLEANSRAFT_Cluster__ExpectedSilos"] = Hosts.ToString(),
            ["ORLEANSRAFT_Silo__Address"] = address,
            ["ORLEANSRAFT_Silo__Port"] = SiloPort.ToString(),
            ["ORLEANSRAFT_Silo__GatewayPort"] = GatewayPort.ToString(),
            ["ORLEANSRAFT_Silo__Name"] = $"host-{k}",
            ["ORLEANSRAFT_Status__Address"] = address,
            ["ORLEANSRAFT_Status__Port"] = StatusPort.ToString(),
            ["ORLEANSRAFT_Etcd__Address"] = address,
            ["ORLEANSRAFT_Raft__AdminToken"] = token,
        };
        return ChildProcess.Start("ip", [.. namespaces.Exec(k), "dotnet", Paths.HostDll], new ChildProcessOptions
        {
            Bound = TimeSpan.FromMinutes(15),
            Environment = environment,
            WorkingDirectory = folder,
        });
    }

    /// <summary>The namespace whose address a silo address (as members report it: <c>S10.x.y.z:11111:...</c>) names.</summary>
    private static int HostOf(NetworkNamespaces namespaces, string silo) =>
        Enumerable.Range(1, Hosts).Single(k => silo.Contains($"{namespaces.Address(k)}:{SiloPort}:", StringComparison.Ordinal));
}
