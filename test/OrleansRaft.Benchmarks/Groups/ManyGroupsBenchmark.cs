using System.Diagnostics;
using System.Globalization;
using Orleans.TestingHost;
using OrleansRaft.Abstractions;
using OrleansRaft.Benchmarks.KeyValue;
using OrleansRaft.Client;
using OrleansRaft.KeyValue;
using OrleansRaft.KeyValue.Hosting;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Benchmarks.Groups;

/// <summary>
/// Whether many groups scale beyond one: 3 silos in process on PostgreSQL (as <c>kv</c>), G key-value groups of 3
/// plus one more, then the same closed-loop callers doing 256-byte puts, first spread over the G groups (each put to
/// a random group), then all on the one group; ops/s, p50 and p99 of both, and the ratio spread / single.
/// </summary>
/// <remarks>
/// Both phases run on the same cluster, in the same process, with one <see cref="KvClient"/> per group shared by its
/// callers (what an application or the etcd gateway holds), so that only the number of groups differs. Each run
/// measures both phases, the next run in the other order, so that a noisy moment on a shared machine falls on both.
/// </remarks>
internal static class ManyGroupsBenchmark
{
    private const int ValueSize = 256;
    private const int KeysPerGroup = 1000;

    private sealed record Settings(int Groups, int Callers, TimeSpan Duration, TimeSpan Warmup, int Runs);

    /// <summary>One measured phase; <see cref="Cpu"/> and <see cref="PostgresCpu"/> are percentages of all the machine's cores.</summary>
    private readonly record struct PhaseResult(double Ops, double P50, double P99, double Cpu, double PostgresCpu, int Errors)
    {
        /// <summary>CPU time of this process and of PostgreSQL per put, in microseconds.</summary>
        public double MicrosPerPut => Ops <= 0 ? double.NaN : (Cpu + PostgresCpu) / 100 * Environment.ProcessorCount / Ops * 1e6;
    }

    public static int Run(string[] args)
    {
        var settings = new Settings(Groups: 100, Callers: 64, Duration: TimeSpan.FromSeconds(10), Warmup: TimeSpan.FromSeconds(1), Runs: 3);
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--groups": settings = settings with { Groups = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                    case "--callers": settings = settings with { Callers = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                    case "--seconds": settings = settings with { Duration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) }; break;
                    case "--warmup-seconds": settings = settings with { Warmup = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) }; break;
                    case "--runs": settings = settings with { Runs = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                    default: throw new ArgumentException($"unknown argument '{args[i]}'");
                }
            }

            if (settings.Groups <= 0 || settings.Callers <= 0 || settings.Runs <= 0 || settings.Duration <= TimeSpan.Zero || settings.Warmup < TimeSpan.Zero)
            {
                throw new ArgumentException("--groups, --callers, --runs and --seconds must be positive");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"{e.Message}; try --help");
            return 2;
        }

        return RunAsync(settings).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(Settings settings)
    {
        var connectionString = TestPostgres.ConnectionString;
        Console.WriteLine($"groups: 3 silos in process, logs in {BenchStorage.Describe}; {settings.Callers} callers doing {ValueSize}-byte puts over {KeysPerGroup} keys " +
                          $"per group, spread over {settings.Groups} group(s) of 3, then on 1; one KvClient per group; median of {settings.Runs} run(s) " +
                          $"of {settings.Duration.TotalSeconds:0.#} s per phase (warm-up {settings.Warmup.TotalSeconds:0.#} s); " +
                          $"{Environment.ProcessorCount} cores, load average {KvBenchmark.LoadAverage()}");
        await using var cluster = await KvBenchmark.StartCluster(connectionString, window: null);

        var run = Guid.NewGuid().ToString("N")[..8];
        var spread = await CreateGroupsAsync(cluster, [.. Enumerable.Range(0, settings.Groups).Select(i => $"groups-{run}-{i:D5}")]);
        var single = await CreateGroupsAsync(cluster, [$"groups-{run}-single"]);
        try
        {
            Console.Error.WriteLine($"  leaders per silo of the {settings.Groups} group(s): {await LeadersPerSiloAsync(cluster, spread)}");
            var results = new Dictionary<bool, List<PhaseResult>> { [true] = [], [false] = [] };
            for (var round = 0; round < settings.Runs; round++)
            {
                foreach (var isSpread in round % 2 == 0 ? new[] { true, false } : [false, true])
                {
                    var clients = isSpread ? spread : single;
                    await LoadAsync(clients, settings.Callers, settings.Warmup, connectionString);
                    var result = await LoadAsync(clients, settings.Callers, settings.Duration, connectionString);
                    results[isSpread].Add(result);
                    Console.Error.WriteLine($"  run {round + 1}: {Name(isSpread, clients.Length)}: {result.Ops:F0} ops/s, p50 {result.P50:F2} ms, " +
                                            $"p99 {result.P99:F2} ms, cpu {result.Cpu:F0} % + PostgreSQL {result.PostgresCpu:F0} %, {result.MicrosPerPut:F0} µs per put, " +
                                            $"load {KvBenchmark.LoadAverage()}");
                }
            }

            Console.WriteLine();
            Console.WriteLine($"{"phase",-8} {"groups",7} {"callers",8} {"ops/s",8} {"range",13} {"p50 ms",7} {"p99 ms",7} {"cpu %",6} {"pg %",5} {"cpu µs/put",11}");
            var medians = new Dictionary<bool, double>();
            foreach (var isSpread in new[] { true, false })
            {
                var runs = results[isSpread];
                var ops = Summary.Of([.. runs.Select(r => r.Ops)]);
                medians[isSpread] = ops.Median;
                var errors = runs.Sum(r => r.Errors);
                Console.WriteLine($"{(isSpread ? "spread" : "single"),-8} {(isSpread ? settings.Groups : 1),7} {settings.Callers,8} {ops.Median,8:F0} {$"{ops.Min:F0}-{ops.Max:F0}",13} " +
                                  $"{Summary.Of([.. runs.Select(r => r.P50)]).Median,7:F2} {Summary.Of([.. runs.Select(r => r.P99)]).Median,7:F2} " +
                                  $"{Summary.Of([.. runs.Select(r => r.Cpu)]).Median,6:F0} {Summary.Of([.. runs.Select(r => r.PostgresCpu)]).Median,5:F0} " +
                                  $"{Summary.Of([.. runs.Select(r => r.MicrosPerPut)]).Median,11:F0}" + (errors > 0 ? $"  ({errors} failed calls)" : ""));
            }

            Console.WriteLine($"aggregate / single ops/s: {medians[true] / medians[false]:F2}");
            Console.WriteLine($"load average at the end: {KvBenchmark.LoadAverage()}");
            return 0;
        }
        finally
        {
            foreach (var client in spread.Concat(single))
            {
                await client.DisposeAsync();
            }
        }
    }

    private static string Name(bool spread, int groups) => spread ? $"spread over {groups}" : "single group";

    /// <summary>Creates the groups, 32 at a time, and writes one key in each: the first put waits out its election.</summary>
    private static async Task<KvClient[]> CreateGroupsAsync(InProcessTestCluster cluster, string[] ids)
    {
        ulong[] members = [1, 2, 3];
        var clients = new KvClient[ids.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Length), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            await cluster.Client.GetGrain<IRaftGroupGrain>(ids[i]).CreateAsync(new RaftGroupSpec(members, KeyValueStore.StateMachineType), BenchAdminToken.Value);
            clients[i] = new KvClient(cluster.Client, ids[i], members);
            await clients[i].PutAsync(new PutRequest(KeyOf(0), Value(0)), new KvCallOptions { Timeout = TimeSpan.FromSeconds(60) });
        });
        return clients;
    }

    /// <summary>How many of the groups each silo leads, e.g. "34/33/33": placement decides how the load spreads.</summary>
    private static async Task<string> LeadersPerSiloAsync(InProcessTestCluster cluster, KvClient[] groups)
    {
        var statuses = await Task.WhenAll(groups.Select(g => cluster.Client.GetGrain<IRaftGroupGrain>(g.GroupId).GetStatusAsync()));
        var silos = statuses
            .Select(s => s?.Members.FirstOrDefault(m => m.MemberId == s.Leader)?.Status?.Silo ?? "none")
            .GroupBy(silo => silo)
            .Select(g => g.Count())
            .OrderDescending();
        return string.Join('/', silos);
    }

    /// <summary>
    /// Runs <paramref name="callers"/> closed loops of puts for <paramref name="duration"/>; each put goes to a group
    /// drawn at random, so every group takes load even with more groups than callers.
    /// </summary>
    private static async Task<PhaseResult> LoadAsync(KvClient[] groups, int callers, TimeSpan duration, string connectionString)
    {
        var keys = Enumerable.Range(0, KeysPerGroup).Select(KeyOf).ToArray();
        var values = Enumerable.Range(0, 16).Select(Value).ToArray();
        var database = BenchStorage.Kind == "memory" ? null : await PostgresCounters.ReadAsync(connectionString);
        var clock = Stopwatch.StartNew();
        var result = await ClosedLoops.RunAsync(callers, duration, random =>
            groups[random.Next(groups.Length)].PutAsync(new PutRequest(keys[random.Next(keys.Length)], values[random.Next(values.Length)])));
        var postgres = database is null ? 0 : 100 * ((await PostgresCounters.ReadAsync(connectionString)).CpuSeconds - database.CpuSeconds) / clock.Elapsed.TotalSeconds / Environment.ProcessorCount;
        return new PhaseResult(result.Ops, result.P50, result.P99, result.Cpu, postgres, result.Errors);
    }

    private static byte[] KeyOf(int i) => KvBytes.From($"/bench/{i:D6}");

    private static byte[] Value(int seed)
    {
        var value = new byte[ValueSize];
        new Random(seed).NextBytes(value);
        return value;
    }
}
