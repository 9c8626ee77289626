using System.Text.RegularExpressions;
using OrleansRaft.Host.Tests.Infrastructure;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Host.Tests;

/// <summary>
/// A quiet group whose leader's silo process is killed -9, on a local cluster of its own: the survivors' liveness
/// probes suspect the dead silo at once and never wait out their timeout, and a survivor leads.
/// </summary>
/// <remarks>
/// With one quiet group the survivors are idle, and Orleans mostly rejects the first probe at once itself; the port
/// check proves its worth when the probe is held instead, which the kill benchmark shows with thousands of groups.
/// Whether a probe is rejected or held is Orleans' race, so this test asserts only that no suspicion waited.
/// </remarks>
public sealed class QuietKillTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly DataDir _dataDir = new();

    [Fact]
    public async Task The_quiet_followers_of_a_killed_leader_are_woken_without_waiting_out_a_probe_and_one_of_them_leads()
    {
        await using var launcher = await LauncherProcess.StartAsync(_dataDir.Path);
        var quiet = await StatusReader.LeaderAsync(launcher.Silos[0].StatusUrl, "kv", g => g.Members.All(m => m.Quiet == true), Bound);
        var victim = launcher.Silos.Single(s => quiet.LeaderMember.Silo!.Contains($":{s.SiloPort}:", StringComparison.Ordinal));
        var survivors = launcher.Silos.Where(s => s != victim).ToArray();

        Signal.Send(victim.Pid, "KILL");
        var after = await StatusReader.LeaderAsync(survivors[0].StatusUrl, "kv", g => g.Term > quiet.Term && g.Members.Any(m => m.Id == g.Leader && m.Role == "leader"), Bound);
        Assert.DoesNotContain($":{victim.SiloPort}:", after.LeaderMember.Silo, StringComparison.Ordinal);

        // The probe that notices fails at once (Orleans rejects it when the reconnect is refused) or meets the refused
        // port within an interval (when Orleans holds it on the dead connection); it never waits out its timeout.
        var suspected = new Regex($@"Silo S127\.0\.0\.1:{victim.SiloPort}:\d+ is suspected \((?<reason>[^)]*)\)");
        var reasons = survivors
            .SelectMany(s => suspected.Matches(File.ReadAllText(Path.Combine(_dataDir.Path, "logs", $"silo-{s.Number}.log"))))
            .Select(m => m.Groups["reason"].Value)
            .ToArray();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, reason => Assert.DoesNotContain("no answer within", reason, StringComparison.Ordinal));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _dataDir.Dispose();
        return Task.CompletedTask;
    }
}
