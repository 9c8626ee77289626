using System.Diagnostics;
using System.Globalization;
using OrleansRaft.Client;
using OrleansRaft.Host.Tests.Infrastructure;
using OrleansRaft.KeyValue;

namespace OrleansRaft.Benchmarks.Kill;

/// <summary>
/// A crash as it happens in production: the local cluster of the README's start command (three silo processes on
/// PostgreSQL, mutual TLS), N key-value groups of 3 created at run time with one put each; once every group has a leader
/// and the leaders are balanced and quiet, kill -9 of the silo process that leads the most groups while
/// <see cref="LoadedGroups"/> random groups take puts. Reports how long each group the dead silo led took until a member
/// on a surviving silo led it, read from the survivors' <c>/leaders.json</c> every <see cref="Poll"/>.
/// </summary>
internal static partial class SiloKillBenchmark
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>Groups that take puts around the kill, the callers that put, and for how long.</summary>
    private const int LoadedGroups = 100;
    private const int LoadCallers = 16;
    private static readonly TimeSpan LoadDuration = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan BeforeKill = TimeSpan.FromSeconds(2);

    /// <summary>Bounds: to settle after creating (elections and the leader balancer), and for every group to recover.</summary>
    private static readonly TimeSpan SettleBound = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromMinutes(2);

    /// <summary>After the leaders are balanced, long enough for every group to go quiet (after 1 s idle by default).</summary>
    private static readonly TimeSpan Quieten = TimeSpan.FromSeconds(5);

    public static int Run(string[] args)
    {
        var groups = new[] { 1000 };
        var runs = 1;
        string? logs = null;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--groups": groups = Next().Split(',').Select(int.Parse).ToArray(); break;
                    case "--runs": runs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--logs": logs = Path.GetFullPath(Next()); break;
                    default: throw new ArgumentException($"unknown argument '{args[i]}'");
                }
            }

            if (groups.Length == 0 || groups.Any(g => g < LoadedGroups) || runs <= 0)
            {
                throw new ArgumentException($"--groups takes counts of at least {LoadedGroups}, and --runs a positive count");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"{e.Message}; try --help");
            return 2;
        }

        return RunAsync(groups, runs, logs).GetAwaiter().GetResult();
    }

    /// <summary>With <paramref name="logs"/>, each run's silo and launcher logs are copied to <c>{logs}/{groups}-{run}</c> before its cluster is removed.</summary>
    private static async Task<int> RunAsync(int[] counts, int runs, string? logs)
    {
        Console.WriteLine($"kill: the local cluster (3 silo processes, PostgreSQL, mutual TLS), kill -9 of the silo leading the most groups; " +
                          $"leaders polled every {Poll.TotalMilliseconds:0} ms; {Environment.ProcessorCount} cores");
        foreach (var count in counts)
        {
            for (var run = 1; run <= runs; run++)
            {
                using var dataDir = new DataDir();
                await using var launcher = await LauncherProcess.StartAsync(dataDir.Path);
                await using var connection = await KvConnection.ConnectAsync(dataDir.Path);
                try
                {
                    await MeasureAsync(launcher, connection, count, run);
                }
                finally
                {
                    if (logs is not null)
                    {
                        await launcher.StopAsync(TimeSpan.FromSeconds(90));
                        CopyLogs(Path.Combine(dataDir.Path, "logs"), Path.Combine(logs, $"{count}-{run}"));
                    }
                }
            }
        }

        return 0;
    }

    private static async Task MeasureAsync(LauncherProcess launcher, KvConnection connection, int count, int run)
    {
        var token = (await File.ReadAllTextAsync(Path.Combine(launcher.DataDir, "admin-token"))).Trim();
        var admin = new RaftGroupAdmin(connection.Orleans, token);
        var ids = Enumerable.Range(0, count).Select(i => $"kill-{i:D5}").ToArray();
        ulong[] members = [1, 2, 3];

        var clock = Stopwatch.StartNew();
        await ForEachAsync(ids, id => admin.CreateKeyValueGroupAsync(id, members));
        var created = clock.Elapsed;
        await ForEachAsync(ids, async id =>
        {
            await using var client = new KvClient(connection.Orleans, id, members);
            await client.PutAsync("/kill", "x");
        });
        var led = clock.Elapsed;

        // Every group led exactly once, the kv group of the launcher too, and no silo leading more than its share.
        var silos = launcher.Silos;
        var share = (count + 1 + silos.Count - 1) / silos.Count;
        var lists = await WaitForAsync(silos, l => LeaderCounts(l).Values.Sum() == count + 1 && LeaderCounts(l).Values.All(c => c == 1) &&
                                                   l.Max(s => s.Leaders.Length) <= share, SettleBound);
        var balanced = clock.Elapsed;
        await Task.Delay(Quieten);
        lists = await WaitForAsync(silos, _ => true, SettleBound);

        var busiest = lists.MaxBy(l => l.Leaders.Length)!;
        var victim = silos.Single(s => s.Pid == busiest.Pid);
        var survivors = silos.Where(s => s != victim).ToArray();
        var loaded = ids.OrderBy(_ => Random.Shared.Next()).Take(LoadedGroups).Select(id => new KvClient(connection.Orleans, id, members)).ToArray();
        var value = new byte[256];
        var load = ClosedLoops.RunAsync(LoadCallers, LoadDuration, random =>
            loaded[random.Next(loaded.Length)].PutAsync(new PutRequest(KvBytes.From($"/kill/{random.Next(1000):D4}"), value)));
        await Task.Delay(BeforeKill);

        // Groups whose leadership moved off the victim since the lists were read would count as recovered at once.
        var before = await ReadAllAsync(survivors);
        var ledElsewhere = before.SelectMany(l => l.Leaders).Select(GroupOf).ToHashSet(StringComparer.Ordinal);
        var measured = busiest.Leaders.Select(GroupOf).Where(g => !ledElsewhere.Contains(g)).ToArray();
        var killedAt = DateTime.Now.TimeOfDay;
        var kill = Stopwatch.StartNew();
        Signal.Send(victim.Pid, "KILL");
        var recovered = await WaitForLeadersAsync(measured, survivors, kill);
        Console.WriteLine($"{count} groups, run {run}: created in {created.TotalSeconds:F1} s, led {led.TotalSeconds:F1} s, balanced {balanced.TotalSeconds:F1} s; " +
                          $"killed silo pid {victim.Pid} leading {busiest.Leaders.Length} groups");
        Console.WriteLine($"        seen led on a survivor by polling: {Percentiles(recovered, measured.Length)}");

        // The poll's answers come late from silos busy electing thousands of leaders; the survivors' logs say when each
        // member became leader, to the millisecond of the same clock.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var logged = ElectedFromLogs(launcher.DataDir, survivors, measured, killedAt);
        Console.WriteLine($"        elected on a survivor, from the silos' logs: {Percentiles(logged, measured.Length)}");
        var puts = await load;
        foreach (var client in loaded)
        {
            await client.DisposeAsync();
        }

        Console.WriteLine($"        puts to {loaded.Length} random groups by {LoadCallers} callers over {LoadDuration.TotalSeconds:F0} s around the kill: " +
                          $"{puts.Ops:F0} ops/s, p50 {puts.P50:F1} ms, p99 {puts.P99:F1} ms, {puts.Errors} failed");
    }

    private static string Percentiles(double[] milliseconds, int of)
    {
        var times = milliseconds.Where(t => !double.IsNaN(t)).Order().ToArray();
        double At(double q) => times.Length == 0 ? double.NaN : times[Math.Min(times.Length - 1, (int)(q * times.Length))];
        return $"{times.Length} of {of} groups, min {At(0):F0} ms, p10 {At(0.1):F0} ms, p50 {At(0.5):F0} ms, p99 {At(0.99):F0} ms, max {At(1):F0} ms";
    }

    /// <summary>
    /// When a member of each of <paramref name="groups"/> on a survivor logged that it became leader, first after
    /// <paramref name="killedAt"/> (the silos log local time of day to the millisecond), in milliseconds after it; NaN
    /// for a group with no such line.
    /// </summary>
    private static double[] ElectedFromLogs(string dataDir, SiloInfo[] survivors, string[] groups, TimeSpan killedAt)
    {
        var first = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var silo in survivors)
        {
            using var stream = new FileStream(Path.Combine(dataDir, "logs", $"silo-{silo.Number}.log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                if (LeaderLine().Match(line) is not { Success: true } match ||
                    !TimeSpan.TryParseExact(match.Groups["time"].Value, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture, out var time))
                {
                    continue;
                }

                // Across midnight the time of day wraps; a line from before the kill is more than 12 hours "after" it.
                var after = (time - killedAt + TimeSpan.FromDays(1)).TotalMilliseconds % TimeSpan.FromDays(1).TotalMilliseconds;
                var group = match.Groups["group"].Value;
                if (after < TimeSpan.FromHours(12).TotalMilliseconds && (!first.TryGetValue(group, out var seen) || after < seen))
                {
                    first[group] = after;
                }
            }
        }

        return [.. groups.Select(g => first.TryGetValue(g, out var t) ? t : double.NaN)];
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?<time>\d\d:\d\d:\d\d\.\d{3}) info: \S+ Raft member (?<group>\S+)/\d+ is now Leader in term \d+")]
    private static partial System.Text.RegularExpressions.Regex LeaderLine();

    /// <summary>
    /// Polls the survivors' leader lists every <see cref="Poll"/> until each of <paramref name="groups"/> is led on one
    /// of them (none was at the kill, so one that is now was elected after it), at most <see cref="RecoveryBound"/>;
    /// returns when each was first seen led, in milliseconds of <paramref name="clock"/> (NaN for a group never seen).
    /// </summary>
    private static async Task<double[]> WaitForLeadersAsync(string[] groups, SiloInfo[] survivors, Stopwatch clock)
    {
        var recovered = Enumerable.Repeat(double.NaN, groups.Length).ToArray();
        var left = groups.Length;
        while (left > 0 && clock.Elapsed < RecoveryBound)
        {
            var lists = await ReadAllAsync(survivors);
            var seen = clock.Elapsed.TotalMilliseconds;
            var led = lists.SelectMany(l => l.Leaders).Select(GroupOf).ToHashSet(StringComparer.Ordinal);
            for (var i = 0; i < groups.Length; i++)
            {
                if (double.IsNaN(recovered[i]) && led.Contains(groups[i]))
                {
                    recovered[i] = seen;
                    left--;
                }
            }

            await Task.Delay(Poll);
        }

        return recovered;
    }

    /// <summary>Polls every silo's leader list (half a second apart) until <paramref name="done"/> holds, within <paramref name="bound"/>.</summary>
    private static async Task<LeadersJson[]> WaitForAsync(IReadOnlyList<SiloInfo> silos, Func<LeadersJson[], bool> done, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var lists = await ReadAllAsync(silos);
            if (done(lists))
            {
                return lists;
            }

            if (clock.Elapsed > bound)
            {
                var counts = LeaderCounts(lists);
                throw new TimeoutException($"The groups did not settle within {bound}: {counts.Count} groups led, {counts.Values.Count(c => c > 1)} by more than one " +
                                           $"member, leaders per silo {string.Join(", ", lists.Select(l => l.Leaders.Length))}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    private static void CopyLogs(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        }
    }

    private static Dictionary<string, int> LeaderCounts(LeadersJson[] lists) =>
        lists.SelectMany(l => l.Leaders).GroupBy(GroupOf, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    private static Task<LeadersJson[]> ReadAllAsync(IEnumerable<SiloInfo> silos) =>
        Task.WhenAll(silos.Select(s => StatusReader.LeadersAsync(s.StatusUrl)));

    private static string GroupOf(string memberKey) => memberKey[..memberKey.LastIndexOf('/')];

    private static async Task ForEachAsync(string[] ids, Func<string, Task> action) =>
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (id, _) => await action(id));
}
