using System.Diagnostics;
using System.Text.RegularExpressions;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.Host.Tests.Infrastructure;
using OrleansRaft.KvWorkload;
using OrleansRaft.Linearizability;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace OrleansRaft.Host.Tests;

/// <summary>
/// Membership changes on the local cluster's silo processes while clients put, read linearizably and compare-and-swap
/// a few keys: on a seeded plan, a fourth member joins as a learner and is promoted, an old voter is removed, the silo of
/// a voter is killed with kill -9, and the killed voter is replaced by a new member on a live silo. The history must be
/// linearizable, and afterwards every voter holds the same store, with every acknowledged write at its revision.
/// </summary>
public sealed class MembershipUnderFireTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Group = "kv";
    private const string Prefix = "/fire/";
    private const int Clients = 4;

    /// <summary>Operations the clients must complete after each step, so that every configuration serves them.</summary>
    private const int Progress = 30;

    private static readonly string[] Keys = [$"{Prefix}a", $"{Prefix}b", $"{Prefix}c"];

    /// <summary>A call that outlasts this is left pending: its outcome is unknown.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Generous, for a loaded machine: clients make progress within seconds of each step.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    private readonly DataDir _dataDir = new();
    private IRaftGroupGrain? _group;
    private RegisterWorkload? _workload;

    [Fact]
    public async Task Members_added_promoted_removed_and_replaced_after_a_kill_9_keep_the_history_linearizable_and_lose_no_acknowledged_write()
    {
        var plan = MembershipFirePlan.Generate(MembershipFirePlan.ChooseSeed(), MembershipFirePlan.ChooseRounds());
        output.WriteLine(plan.ToString());
        try
        {
            await RunAsync(plan);
        }
        catch (Exception e)
        {
            // The seed leads the message; the cause follows as the inner exception.
            throw new XunitException($"Failed with {plan}.", e);
        }
    }

    /// <summary>The group's members as they report themselves, and the clients' counts, for a failed run.</summary>
    private async Task PrintGroupAsync()
    {
        output.WriteLine($"--- clients: {_workload?.Completed} answered, {_workload?.Unknown} timed out, {_workload?.Refused} refused");
        try
        {
            var status = _group is null ? null : await _group.GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(30));
            foreach (var member in status?.Members ?? [])
            {
                output.WriteLine($"--- member {member.MemberId}: {member.Status?.ToString() ?? member.Error}");
            }
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            output.WriteLine($"--- no group status: {e.Message}");
        }
    }

    /// <summary>The Raft lines and warnings at the end of each silo's log, for a failed run (the data folder is removed after it).</summary>
    private void PrintSiloLogs()
    {
        var logs = Path.Combine(_dataDir.Path, "logs");
        foreach (var log in Directory.Exists(logs) ? Directory.GetFiles(logs, "silo-*.log").Order().ToArray() : [])
        {
            var lines = File.ReadAllLines(log).Where(l => l.Contains("Raft", StringComparison.Ordinal) || l.Contains(" warn: ", StringComparison.Ordinal) || l.Contains(" fail: ", StringComparison.Ordinal));
            output.WriteLine($"--- the end of {Path.GetFileName(log)}");
            foreach (var line in lines.TakeLast(60))
            {
                output.WriteLine(line.Length > 400 ? line[..400] : line);
            }
        }
    }

    private async Task RunAsync(MembershipFirePlan plan)
    {
        var clock = Stopwatch.StartNew();
        void Say(string text) => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s: {text}");

        // Three silos for the voters, one free for the member that joins, and one more for each round's kill. Small
        // snapshots, so that joining members catch up from one.
        var silos = 3 + plan.Rounds;
        await using var launcher = await LauncherProcess.StartAsync(_dataDir.Path, "--silos", silos.ToString(), "--Raft:SnapshotEveryEntries", "200");
        await using var connection = await KvConnection.ConnectAsync(_dataDir.Path);
        var token = (await File.ReadAllTextAsync(Path.Combine(_dataDir.Path, "admin-token"))).Trim();
        _group = connection.Orleans.GetGrain<IRaftGroupGrain>(Group);
        var group = _group;
        Say($"{silos} silos, group {Group} has a leader");
        try
        {
            var workload = _workload = new RegisterWorkload(Keys, CallTimeout);
            var clients = new List<KvClient>();
            for (var i = 0; i < Clients; i++)
            {
                var options = new KvClientOptions { RequestTimeout = CallTimeout, AttemptTimeout = TimeSpan.FromSeconds(1), Random = new Random(plan.Seed + i) };
                clients.Add(await KvClient.ConnectAsync(connection.Orleans, Group, options));
            }

            using var stop = new CancellationTokenSource();
            var workers = clients.Select((client, i) => Task.Run(() => workload.RunAsync(i + 1, client, new Random(plan.Seed ^ ((i + 1) * 7919)), stop.Token))).ToList();
            await WaitForProgressAsync(workload, "before the first step", Say);

            var voters = new SortedSet<ulong> { 1, 2, 3 };
            var nextId = 4UL;
            var killed = new HashSet<int>();
            var changes = new List<string>();
            List<ulong> onKilledSilo = [];
            HashSet<ulong> roundStart = [];
            foreach (var step in plan.Steps)
            {
                // The pause is the plan's: how long the load runs before the step. Nothing waits on it for a condition.
                await Task.Delay(step.Pause);
                var status = await LeaderStatusAsync(group, voters, [.. voters.Except(onKilledSilo)]);
                switch (step.Action)
                {
                    case FireAction.Add:
                    {
                        roundStart = [.. voters];
                        var id = nextId++;
                        var membership = await group.AddMemberAsync(id, token);
                        Assert.Contains(id, membership.Voters);
                        voters.Add(id);
                        changes.Add($"learner {id} added");
                        changes.Add($"learner {id} promoted");
                        Say($"{workload.Completed} operations done: member {id} added as a learner and promoted; voters {string.Join(",", membership.Voters)}");
                        break;
                    }

                    case FireAction.Remove:
                    {
                        var candidates = roundStart.Where(v => voters.Contains(v) && !onKilledSilo.Contains(v)).ToList();
                        var id = Choose(step, status, candidates);
                        var membership = await group.RemoveMemberAsync(id, token);
                        Assert.DoesNotContain(id, membership.Voters);
                        voters.Remove(id);
                        changes.Add($"voter {id} removed");
                        Say($"{workload.Completed} operations done: {(id == status.Leader ? "leader" : "follower")} {id} removed; voters {string.Join(",", membership.Voters)}");
                        break;
                    }

                    case FireAction.Kill:
                    {
                        var id = Choose(step, status, [.. voters]);
                        var silo = SiloOf(launcher, status, id);
                        onKilledSilo = [.. voters.Where(v => SiloOf(launcher, status, v) == silo)];
                        killed.Add(silo.Number);
                        Signal.Send(silo.Pid, "KILL");
                        await launcher.WaitForLineAsync(new Regex($@"silo {silo.Number} \(pid {silo.Pid}\) exited with code"), Bound);
                        Say($"{workload.Completed} operations done: killed silo {silo.Number} (pid {silo.Pid}) of {(id == status.Leader ? "leader" : "follower")} {id}; voters on it: {string.Join(",", onKilledSilo)}");
                        break;
                    }

                    default:
                    {
                        foreach (var old in onKilledSilo.Where(voters.Contains))
                        {
                            var id = nextId++;
                            var membership = await group.ReplaceMemberAsync(old, id, token);
                            Assert.Contains(id, membership.Voters);
                            Assert.DoesNotContain(old, membership.Voters);
                            voters.Remove(old);
                            voters.Add(id);
                            changes.Add($"learner {id} added");
                            changes.Add($"learner {id} promoted");
                            changes.Add($"voter {old} removed");
                            var placed = await MemberSiloAsync(group, id);
                            var liveSilo = launcher.Silos.SingleOrDefault(s => !killed.Contains(s.Number) && placed.Contains($":{s.SiloPort}:", StringComparison.Ordinal));
                            Assert.True(liveSilo is not null, $"Member {id} runs on {placed}, not on a live silo.");
                            Say($"{workload.Completed} operations done: killed voter {old} replaced by {id} on silo {liveSilo.Number}; voters {string.Join(",", membership.Voters)}");
                        }

                        onKilledSilo = [];
                        break;
                    }
                }

                await WaitForProgressAsync(workload, $"after step {step}", Say);
            }

            await stop.CancelAsync();
            await Task.WhenAll(workers).WaitAsync(Bound);
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            var check = KvChecker.Check(workload.History.ToHistory());
            Say($"checker: {check.Outcome}: {check.Explanation}");
            Say($"figures: seed {plan.Seed}, {workload.Completed + workload.Unknown + workload.Refused} operations ({workload.Completed} answered, {workload.Unknown} timed out, "
                + $"{workload.Refused} refused, {workload.Acknowledged.Count} writes acknowledged), {changes.Count} membership changes ({string.Join("; ", changes)}), "
                + $"{killed.Count} kill(s), checker verdict {check.Outcome}");
            Assert.True(check.Outcome == CheckOutcome.Ok, $"The history is not linearizable ({check.Outcome}):{Environment.NewLine}{check.Explanation}");

            var final = await group.ListMembersAsync(token);
            Assert.NotNull(final);
            Assert.Equal(voters, final.Voters.Order());
            Assert.Empty(final.Learners);
            await using var reader = await KvClient.ConnectAsync(connection.Orleans, Group);
            var revision = (await reader.StatusAsync(new KvCallOptions { Timeout = TimeSpan.FromSeconds(30), Consistency = ReadConsistency.Linearizable })).Revision;
            var stores = await Task.WhenAll(voters.Select(m => MemberStore.ReadAsync(connection.Orleans, Group, m, Prefix, revision)));
            var violations = StoreAgreement.Violations(stores, workload.Acknowledged, Keys.Length, revision);
            Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
            Say($"voters {string.Join(",", voters)} agree on {stores[0].Events.Count} writes up to revision {revision}; every acknowledged write is there");
        }
        catch
        {
            // While the silos and the connection are still up: what the members and clients looked like.
            await PrintGroupAsync();
            PrintSiloLogs();
            throw;
        }
    }

    /// <summary>The leader (when the target is the leader and it is a candidate) or a follower among <paramref name="candidates"/>.</summary>
    private static ulong Choose(FireStep step, RaftGroupStatus status, IReadOnlyList<ulong> candidates)
    {
        Assert.NotEmpty(candidates);
        if (step.Target == FireTarget.Leader && candidates.Contains(status.Leader))
        {
            return status.Leader;
        }

        var followers = candidates.Where(c => c != status.Leader).ToList();
        var from = followers.Count > 0 ? followers : [.. candidates];
        return from[step.Pick % from.Count];
    }

    /// <summary>The launcher's silo that runs member <paramref name="id"/> by <paramref name="status"/>.</summary>
    private static SiloInfo SiloOf(LauncherProcess launcher, RaftGroupStatus status, ulong id)
    {
        var silo = status.Members.Single(m => m.MemberId == id).Status?.Silo
            ?? throw new InvalidOperationException($"Member {id} did not report its silo.");
        return launcher.Silos.Single(s => silo.Contains($":{s.SiloPort}:", StringComparison.Ordinal));
    }

    /// <summary>The group's status once a voter leads and every voter of <paramref name="answering"/> reports its silo.</summary>
    private static Task<RaftGroupStatus> LeaderStatusAsync(IRaftGroupGrain group, IReadOnlySet<ulong> voters, IReadOnlyList<ulong> answering) =>
        Wait.ForAsync(
            async () =>
            {
                var status = await group.GetStatusAsync();
                return status is not null && voters.Contains(status.Leader)
                    && status.Members.Any(m => m.MemberId == status.Leader && m.Status?.Role == RaftMemberRole.Leader)
                    && answering.All(v => status.Members.Any(m => m.MemberId == v && m.Status is not null))
                    ? status
                    : null;
            },
            Bound,
            $"a leader among voters {string.Join(",", voters)} and voters {string.Join(",", answering)} answering");

    private static Task<string> MemberSiloAsync(IRaftGroupGrain group, ulong id) =>
        Wait.ForAsync(
            async () => (await group.GetStatusAsync())?.Members.SingleOrDefault(m => m.MemberId == id)?.Status?.Silo,
            Bound,
            $"member {id} to report its silo");

    private static async Task WaitForProgressAsync(RegisterWorkload workload, string when, Action<string> say)
    {
        var target = workload.Completed + Progress;
        await Wait.UntilAsync(() => workload.Completed >= target, Bound, $"{Progress} operations to complete {when}");
        say($"{workload.Completed} operations done {when}");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _dataDir.Dispose();
        return Task.CompletedTask;
    }
}
