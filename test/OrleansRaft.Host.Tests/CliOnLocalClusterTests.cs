using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansRaft.Host.Tests.Infrastructure;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Host.Tests;

/// <summary>
/// The command line against the local cluster's silo processes, found through <c>cluster.json</c> alone: every kind
/// of command, then a kill -9 of the leader's silo, after which the same commands still work.
/// </summary>
[Collection(CliClusterCollection.Name)]
public sealed class CliOnLocalClusterTests(LocalClusterFixture cluster)
{
    /// <summary>
    /// How long the CLI may take, after the kill, to read, write and report a new leader on a live silo. Orleans'
    /// probes notice the dead silo and the group elects within seconds; the rest is slack for a busy machine, where
    /// one CLI process takes several seconds to start and connect.
    /// </summary>
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromMinutes(2);

    /// <summary>Each command's --timeout (to connect, and per request): generous, since latency is not tested here.</summary>
    private const string Timeout = "60s";

    [Fact]
    public async Task The_cli_drives_every_command_and_keeps_working_after_a_kill_9_of_the_leaders_silo()
    {
        // One CLI process per command, run one at a time: each starts a runtime and an Orleans client, the dear part.
        var first = Json(Ok(await Cli("put", "/cli/app/db/url", "postgres://db", "--json"))).GetProperty("revision").GetInt64();

        // The watch replays from the first put, so it prints every later write whether it subscribed before or after
        // the write: some arrive replayed, the rest live.
        using var watch = CliRunner.Start(cluster.Launcher.DataDir, "watch", "/cli/", "--prefix", "--rev", first.ToString(CultureInfo.InvariantCulture), "--timeout", Timeout);
        Assert.Equal(["OK"], Ok(await Cli("txn", "cas", "/cli/lock", "me", "--expect-absent")).Lines);
        var grant = Assert.Single(Ok(await Cli("lease", "grant", "600")).Lines);
        var lease = Assert.Single(Regex.Matches(grant, @"^lease (\d+) granted with TTL\(600s\)$")).Groups[1].Value;
        Assert.Equal(["OK"], Ok(await Cli("put", "/cli/app/session", "s1", "--lease", lease)).Lines);

        var session = Json(Ok(await Cli("get", "/cli/app/session", "--json"))).GetProperty("kvs").EnumerateArray().Single();
        Assert.Equal("s1", session.GetProperty("value").GetString());
        Assert.Equal(lease, session.GetProperty("lease").GetInt64().ToString(CultureInfo.InvariantCulture));
        Assert.Equal(Everything, Ok(await Cli("get", "/cli/", "--prefix")).Lines);
        Assert.Equal(["/cli/app/", "/cli/lock"], Ok(await Cli("ls", "/cli/")).Lines);
        var before = LeaderOf(Json(Ok(await Cli("status", "--json"))), cluster.Launcher.Silos)
            ?? throw new InvalidOperationException("status --json showed no single leader on a launcher's silo.");

        Assert.Equal(
            ["PUT", "/cli/app/db/url", "postgres://db", "PUT", "/cli/lock", "me", "PUT", "/cli/app/session", "s1"],
            await watch.WaitForLinesAsync(9));
        Signal.Send(watch.Pid, "INT");
        var watched = await watch.WaitForExitAsync();
        Assert.True(watched.ExitCode == 0 && watched.Lines.Length == 9, watched.ToString());

        // kill -9 of the silo process that hosts the leader; its gateway stays in cluster.json.
        var victim = before.Silo;
        cluster.Killed.Add(victim.Number);
        Signal.Send(victim.Pid, "KILL");
        var sinceKill = Stopwatch.StartNew();
        await cluster.Launcher.WaitForLineAsync(
            new Regex($@"silo {victim.Number} \(pid {victim.Pid}\) exited with code \d+; it is not restarted"), TimeSpan.FromSeconds(30));

        Assert.Equal(["OK"], Ok(await Cli("put", "/cli/after", "written with a silo down")).Lines);
        string[] all = ["/cli/after", "written with a silo down", .. Everything];
        Assert.Equal(all, Ok(await Cli("get", "/cli/", "--prefix")).Lines);

        // The group's new leader lives on a silo that still runs, and every member answers again (the killed silo's
        // member activated on a live silo).
        var live = cluster.LiveSilos.ToArray();
        var after = await Wait.ForAsync(
            async () =>
            {
                var status = Json(Ok(await Cli("status", "--json")));
                return Members(status).All(m => m.Role != "unreachable") && LeaderOf(status, live) is { } l && l.Term > before.Term ? l : null;
            },
            RecoveryBound - sinceKill.Elapsed,
            "status --json to show a new leader on a live silo and every member reachable");
        Assert.NotEqual(victim.Number, after.Silo.Number);
        Assert.True(sinceKill.Elapsed < RecoveryBound, $"recovered after {sinceKill.Elapsed}");
    }

    private static string[] Everything => ["/cli/app/db/url", "postgres://db", "/cli/app/session", "s1", "/cli/lock", "me"];

    private Task<ProcessRun> Cli(params string[] args) => CliRunner.RunAsync(cluster.Launcher.DataDir, [.. args, "--timeout", Timeout]);

    private static ProcessRun Ok(ProcessRun run) => run.Ok();

    private static JsonElement Json(ProcessRun run) => JsonDocument.Parse(run.Stdout).RootElement;

    private static IEnumerable<(ulong Member, string Role, string? Silo)> Members(JsonElement status) =>
        status.EnumerateArray().Single(g => g.GetProperty("group").GetString() == "kv").GetProperty("members").EnumerateArray()
            .Select(m => (m.GetProperty("member").GetUInt64(), m.GetProperty("role").GetString()!, m.TryGetProperty("silo", out var s) ? s.GetString() : null));

    /// <summary>
    /// The kv group's leader from <c>status --json</c>, when exactly one member leads, every member is listed, and
    /// the leader lives on one of <paramref name="silos"/>; null otherwise.
    /// </summary>
    private static Leader? LeaderOf(JsonElement status, IReadOnlyList<SiloInfo> silos)
    {
        var group = status.EnumerateArray().Single(g => g.GetProperty("group").GetString() == "kv");
        var members = Members(status).ToArray();
        Assert.Equal([1UL, 2UL, 3UL], members.Select(m => m.Member));
        var leaders = members.Where(m => m.Role == "leader").ToArray();
        if (leaders.Length != 1 || group.GetProperty("leader").GetUInt64() != leaders[0].Member)
        {
            return null;
        }

        var silo = silos.SingleOrDefault(s => leaders[0].Silo!.Contains($":{s.SiloPort}:", StringComparison.Ordinal));
        return silo is null ? null : new Leader(leaders[0].Member, group.GetProperty("term").GetUInt64(), silo);
    }

    private sealed record Leader(ulong Member, ulong Term, SiloInfo Silo);
}

/// <summary>A local cluster of its own: the CLI test kills a silo, as <see cref="LocalClusterTests"/> does on the shared one.</summary>
[CollectionDefinition(Name)]
public sealed class CliClusterCollection : ICollectionFixture<LocalClusterFixture>
{
    public const string Name = "local cluster for the CLI";
}
