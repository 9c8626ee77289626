using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
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
/// a cluster and elect a leader, and the group goes quiet; the leader's namespace is cut off the network (its link down,
/// its silo running), the other two elect a new leader, woken by their silos' liveness probes well before Orleans would
/// declare the silo dead, and keep committing, and once the link is back the cut-off member catches up. Runs only with
/// <c>ORLEANSRAFT_NETNS_TESTS=1</c> (root and iproute2).
/// </summary>
public sealed partial class SeveralHostsTests(ITestOutputHelper output)
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

    /// <summary>
    /// How soon after its leader's host is cut off a quiet group must have a new leader: the liveness probes time out
    /// within a second or two, then an election follows. Generous for a loaded machine, and well below the minute
    /// Orleans takes to declare an unreachable silo dead, which is what the followers would wait for without them.
    /// </summary>
    private static readonly TimeSpan ElectionBound = TimeSpan.FromSeconds(20);

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
            await using var connection = await KvConnection.ConnectAsync(cluster);
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

            // The group goes quiet once idle: no heartbeats, no clocks. Only the silos' liveness probes can tell its
            // followers that the leader's host is gone.
            var quiet = await StatusReader.LeaderAsync(statusUrls[0], Group, g => g.Members.All(m => m.Quiet == true), Bound);
            Assert.Equal(before.Term, quiet.Term);
            Say($"group {Group} quiet in term {quiet.Term}");

            namespaces.Cut(cut);
            var sinceCut = Stopwatch.StartNew();
            var live = Enumerable.Range(1, Hosts).Where(k => k != cut).ToArray();
            var elected = await Wait.ForAsync(
                () => Task.FromResult(live.Select(k => NewLeader(silos[k - 1], before.Term)).FirstOrDefault(m => m is not null)),
                Bound,
                $"a member on hosts {string.Join(",", live)} to log that it leads {Group} in a term after {before.Term}");
            var electedIn = sinceCut.Elapsed;
            Say($"host {cut} cut off: {elected}, {electedIn.TotalSeconds:F1} s after the cut");
            foreach (var k in live)
            {
                // How the survivors got there: their silos' suspicion of the host cut off, then the campaign.
                var lines = silos[k - 1].Stdout.Split('\n');
                var suspected = Array.FindIndex(lines, l => l.Contains("is suspected", StringComparison.Ordinal));
                foreach (var line in lines.Skip(Math.Max(suspected, 0)).Where(l => l.Contains("is suspected", StringComparison.Ordinal) || l.Contains($"Raft member {Group}/", StringComparison.Ordinal) && l.Contains(" is now ", StringComparison.Ordinal)).Take(8))
                {
                    output.WriteLine($"    host {k}: {(line.Length > 200 ? line[..200] : line)}");
                }
            }

            Assert.True(
                electedIn < ElectionBound,
                $"the quiet group elected a new leader {electedIn.TotalSeconds:F1} s after its leader's host was cut off, not within {ElectionBound.TotalSeconds} s: the liveness probes did not wake its followers, which then wait on Orleans (a call times out after 30 s, a silo is declared dead after about a minute)");

            // The test's own client keeps the gateway of the host cut off, and Orleans sends every call to a grain through
            // the gateway that grain's first call took, until that connection fails, which a cut link does not do for
            // minutes. A client of the hosts still on the network is what an application with a host gone would use.
            // Neither that client nor the test asks the status page or the group's admin grain: those grains (the
            // directory's, the group's) may be on the host cut off, unreachable until Orleans declares that silo dead,
            // and the cut must heal before then, or the silo cut off would stop itself once back.
            var liveCluster = cluster with { Gateways = [.. live.Select(k => $"{namespaces.Address(k)}:{GatewayPort}")] };
            await using (var survivors = await KvConnection.ConnectAsync(liveCluster, kv.Members))
            {
                for (var i = 0; i < Puts; i++, written++)
                {
                    await survivors.Kv.PutAsync($"hosts/{written:D4}", $"v{written}", Patient);
                }
            }

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

    /// <summary>
    /// What a silo logged of a member of <see cref="Group"/> that became leader in a term after <paramref name="term"/>
    /// ("Raft member kv/2 is now Leader in term 3 (leader 2)."), or null. Read from the silo itself, so that it does not
    /// wait on grains (the group's, the directory's) that may be on the host cut off.
    /// </summary>
    private static string? NewLeader(ChildProcess silo, ulong term) =>
        LeaderLine().Matches(silo.Stdout).Select(m => (Line: m.Value, Term: ulong.Parse(m.Groups["term"].Value, CultureInfo.InvariantCulture)))
            .Where(m => m.Term > term).Select(m => m.Line).FirstOrDefault();

    [GeneratedRegex($@"Raft member {Group}/\d+ is now Leader in term (?<term>\d+)")]
    private static partial Regex LeaderLine();

    /// <summary>The namespace whose address a silo address (as members report it: <c>S10.x.y.z:11111:...</c>) names.</summary>
    private static int HostOf(NetworkNamespaces namespaces, string silo) =>
        Enumerable.Range(1, Hosts).Single(k => silo.Contains($"{namespaces.Address(k)}:{SiloPort}:", StringComparison.Ordinal));
}
