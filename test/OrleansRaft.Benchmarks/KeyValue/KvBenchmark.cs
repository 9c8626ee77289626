using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Orleans.TestingHost;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Diagnostics;
using OrleansRaft.KeyValue;
using OrleansRaft.KeyValue.Hosting;
using OrleansRaft.TestSupport;
using OrleansRaft.Testing;

namespace OrleansRaft.Benchmarks.KeyValue;

/// <summary>
/// The key-value store through <see cref="KvClient"/> on a 3-silo in-process cluster whose logs are in PostgreSQL:
/// puts of 256-byte values, linearizable gets and serializable gets, each with 1, 16 and 64 concurrent callers
/// sharing one client. Each cell is the median of several runs, printed next to etcd 3.4's figures on the same
/// kind of machine (3 members on loopback, clients and servers sharing 2 cores), with the entries per leader write.
/// </summary>
/// <remarks>
/// <c>--window</c> compares group-commit windows (<see cref="OrleansRaftOptions.GroupCommitWindow"/>): each run starts
/// a fresh cluster per window, in an order that alternates from run to run, so that a noisy minute on the shared
/// machine falls on every setting alike.
/// </remarks>
internal static class KvBenchmark
{
    private const string Storage = "raft";
    private const int ValueSize = 256;
    private const int Keys = 1000;

    private enum Workload
    {
        Put,
        LinearizableGet,
        SerializableGet,
    }

    /// <summary>etcd 3.4.23, 3 members, 256-byte values: ops/s and p50 ms by clients 1, 16, 64.</summary>
    private static readonly Dictionary<Workload, (double Ops, double P50)[]> Etcd = new()
    {
        [Workload.Put] = [(856, 1.07), (2_438, 5.8), (4_382, 13.6)],
        [Workload.LinearizableGet] = [(1_776, 0.51), (5_260, 2.6), (7_292, 7.6)],
        [Workload.SerializableGet] = [(4_117, 0.20), (9_065, 1.3), (9_144, 5.3)],
    };

    private sealed record Settings(int[] Clients, Workload[] Workloads, int Runs, TimeSpan Duration, TimeSpan Warmup, TimeSpan?[] Windows);

    private readonly record struct RunResult(double Ops, double P50, double P99, double Cpu, int Errors, BatchSizes Batches);

    /// <summary>Entries per leader write during one run: median, 90th percentile and mean.</summary>
    private readonly record struct BatchSizes(double P50, double P90, double Mean)
    {
        public override string ToString() => double.IsNaN(Mean) ? "-" : $"{P50:0}/{P90:0}/{Mean:0.#}";
    }

    public static int Run(string[] args)
    {
        var settings = new Settings([1, 16, 64], [Workload.Put, Workload.LinearizableGet, Workload.SerializableGet], 3, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), [null]);
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--clients": settings = settings with { Clients = Next().Split(',').Select(int.Parse).ToArray() }; break;
                    case "--workloads": settings = settings with { Workloads = Next().Split(',').Select(ParseWorkload).ToArray() }; break;
                    case "--runs": settings = settings with { Runs = int.Parse(Next()) }; break;
                    case "--seconds": settings = settings with { Duration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) }; break;
                    case "--warmup-seconds": settings = settings with { Warmup = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) }; break;
                    case "--window":
                        settings = settings with
                        {
                            Windows = Next().Split(',').Select(ms => (TimeSpan?)TimeSpan.FromMilliseconds(double.Parse(ms, CultureInfo.InvariantCulture))).ToArray(),
                        };
                        break;
                    case "--quick": settings = settings with { Runs = 1, Duration = TimeSpan.FromSeconds(1), Warmup = TimeSpan.FromSeconds(0.3) }; break;
                    default: throw new ArgumentException($"unknown argument '{args[i]}'");
                }
            }

            if (settings.Clients.Length == 0 || settings.Clients.Any(c => c <= 0) || settings.Runs <= 0 || settings.Duration <= TimeSpan.Zero || settings.Warmup < TimeSpan.Zero)
            {
                throw new ArgumentException("clients, runs and seconds must be positive");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"{e.Message}; try --help");
            return 2;
        }

        return RunAsync(settings).GetAwaiter().GetResult();
    }

    private static Workload ParseWorkload(string text) => text switch
    {
        "put" => Workload.Put,
        "get" or "linearizable" => Workload.LinearizableGet,
        "stale" or "serializable" => Workload.SerializableGet,
        _ => throw new ArgumentException($"unknown workload '{text}': expected put, get or stale"),
    };

    private static async Task<int> RunAsync(Settings settings)
    {
        var connectionString = TestPostgres.ConnectionString;
        Console.WriteLine($"kv: 3 silos in process, one key-value group of 3, logs in {BenchStorage.Describe}; {ValueSize}-byte values over {Keys} keys; " +
                          $"one KvClient shared by the callers; median of {settings.Runs} run(s) of {settings.Duration.TotalSeconds:0.#} s per cell " +
                          $"(warm-up {settings.Warmup.TotalSeconds:0.#} s); {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        using var batches = new LeaderBatchListener();
        var cells = settings.Windows
            .SelectMany(window => settings.Workloads.SelectMany(w => settings.Clients.Select(c => (Window: window, Workload: w, Clients: c))))
            .ToArray();
        var results = cells.ToDictionary(c => c, _ => new List<RunResult>());

        // Runs interleave across cells, so that a noisy minute on the shared machine spreads over every cell; the
        // order of the windows alternates from run to run.
        for (var run = 0; run < settings.Runs; run++)
        {
            var windows = run % 2 == 0 ? settings.Windows : settings.Windows.Reverse().ToArray();
            foreach (var window in windows)
            {
                await using var cluster = await StartCluster(connectionString, window);
                var group = $"kvbench-{Guid.NewGuid():N}";
                ulong[] members = [1, 2, 3];
                await cluster.Client.GetGrain<IRaftGroupGrain>(group).CreateAsync(new RaftGroupSpec(members, KeyValueStore.StateMachineType), BenchAdminToken.Value);
                await using var client = new KvClient(cluster.Client, group, members);
                await Populate(client);
                foreach (var cell in cells.Where(c => c.Window == window))
                {
                    await Load(client, cell.Workload, cell.Clients, settings.Warmup, batches);
                    var result = await Load(client, cell.Workload, cell.Clients, settings.Duration, batches);
                    results[cell].Add(result);
                    Console.Error.WriteLine($"  run {run + 1}: {WindowName(window)} {Name(cell.Workload)} x{cell.Clients}: {result.Ops:F0} ops/s, " +
                                            $"p50 {result.P50:F2} ms, p99 {result.P99:F2} ms, cpu {result.Cpu:F0} %, leader batch {result.Batches}, load {LoadAverage()}");
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{"window",7} {"workload",-17} {"clients",7} {"ops/s",8} {"range",13} {"p50 ms",7} {"p99 ms",7} {"cpu %",6} {"batch p50/p90/mean",18} " +
                          $"{"etcd ops/s",11} {"etcd p50",9} {"ours/etcd",9}");
        foreach (var cell in cells)
        {
            var runs = results[cell];
            var ops = Summary.Of(runs.Select(r => r.Ops).ToArray());
            var p50 = Summary.Of(runs.Select(r => r.P50).ToArray()).Median;
            var p99 = Summary.Of(runs.Select(r => r.P99).ToArray()).Median;
            var cpu = Summary.Of(runs.Select(r => r.Cpu).ToArray()).Median;
            var batch = runs.Select(r => r.Batches).OrderBy(b => double.IsNaN(b.Mean) ? 0 : b.Mean).ElementAt(runs.Count / 2);
            var errors = runs.Sum(r => r.Errors);
            var reference = Reference(cell.Workload, cell.Clients);
            var etcdOps = reference is { } r1 ? r1.Ops.ToString("N0", CultureInfo.InvariantCulture) : "-";
            var etcdP50 = reference is { } r2 ? r2.P50.ToString("F2", CultureInfo.InvariantCulture) : "-";
            var ratio = reference is { } r3 ? (ops.Median / r3.Ops).ToString("F2", CultureInfo.InvariantCulture) : "-";
            var range = $"{ops.Min:F0}-{ops.Max:F0}";
            Console.WriteLine($"{WindowName(cell.Window),7} {Name(cell.Workload),-17} {cell.Clients,7} {ops.Median,8:F0} {range,13} {p50,7:F2} {p99,7:F2} {cpu,6:F0} " +
                              $"{batch,18} {etcdOps,11} {etcdP50,9} {ratio,9}" +
                              (errors > 0 ? $"  ({errors} failed calls)" : ""));
        }

        Console.WriteLine($"load average at the end: {LoadAverage()}");
        return 0;
    }

    private static string WindowName(TimeSpan? window) =>
        window is { } w ? $"{w.TotalMilliseconds.ToString("0.##", CultureInfo.InvariantCulture)}ms" : "default";

    private static string Name(Workload workload) => workload switch
    {
        Workload.Put => "put",
        Workload.LinearizableGet => "get linearizable",
        _ => "get serializable",
    };

    private static (double Ops, double P50)? Reference(Workload workload, int clients)
    {
        var column = clients switch { 1 => 0, 16 => 1, 64 => 2, _ => -1 };
        return column < 0 ? null : Etcd[workload][column];
    }

    internal static async Task<InProcessTestCluster> StartCluster(string connectionString, TimeSpan? window)
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            BenchStorage.AddRaft(silo, Storage, connectionString, o =>
            {
                if (window is { } w)
                {
                    o.GroupCommitWindow = w;
                }
            });
            silo.AddRaftKeyValueStore();
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        await cluster.WaitForMembershipAsync(TimeSpan.FromSeconds(30));
        return cluster;
    }

    private static byte[] KeyOf(int i) => KvBytes.From($"/bench/{i:D6}");

    private static byte[] Value(int seed)
    {
        var value = new byte[ValueSize];
        new Random(seed).NextBytes(value);
        return value;
    }

    /// <summary>Writes every key once, so that gets find a value; the first put also waits out the election.</summary>
    private static async Task Populate(KvClient client)
    {
        await client.PutAsync(new PutRequest(KeyOf(0), Value(0)), new KvCallOptions { Timeout = TimeSpan.FromSeconds(30) });
        await Task.WhenAll(Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
        {
            for (var i = worker; i < Keys; i += 16)
            {
                await client.PutAsync(new PutRequest(KeyOf(i), Value(i)));
            }
        })));
    }

    /// <summary>Runs <paramref name="callers"/> closed loops of one workload for <paramref name="duration"/>.</summary>
    private static async Task<RunResult> Load(KvClient client, Workload workload, int callers, TimeSpan duration, LeaderBatchListener batches)
    {
        batches.Reset();
        var keys = Enumerable.Range(0, Keys).Select(KeyOf).ToArray();
        var values = Enumerable.Range(0, 16).Select(Value).ToArray();
        var result = await ClosedLoops.RunAsync(callers, duration, async random =>
        {
            var key = keys[random.Next(keys.Length)];
            switch (workload)
            {
                case Workload.Put:
                    await client.PutAsync(new PutRequest(key, values[random.Next(values.Length)]));
                    break;
                case Workload.LinearizableGet:
                    await client.GetAsync(key, KvCallOptions.Linearizable);
                    break;
                default:
                    await client.GetAsync(key, KvCallOptions.Serializable);
                    break;
            }
        });
        return new RunResult(result.Ops, result.P50, result.P99, result.Cpu, result.Errors, batches.Sizes());
    }

    /// <summary>Collects <c>orleansraft.append.entries</c> of leaders, in process.</summary>
    private sealed class LeaderBatchListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<long> _sizes = [];

        public LeaderBatchListener()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == RaftMetrics.MeterName && instrument.Name == "orleansraft.append.entries")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag is { Key: "orleansraft.role", Value: "leader" })
                    {
                        lock (_sizes)
                        {
                            _sizes.Add(value);
                        }
                    }
                }
            });
            _listener.Start();
        }

        public void Reset()
        {
            lock (_sizes)
            {
                _sizes.Clear();
            }
        }

        public BatchSizes Sizes()
        {
            long[] sizes;
            lock (_sizes)
            {
                sizes = [.. _sizes];
            }

            if (sizes.Length == 0)
            {
                return new BatchSizes(double.NaN, double.NaN, double.NaN);
            }

            Array.Sort(sizes);
            return new BatchSizes(sizes[sizes.Length / 2], sizes[Math.Min(sizes.Length - 1, (int)(0.9 * sizes.Length))], sizes.Average());
        }

        public void Dispose() => _listener.Dispose();
    }

    internal static double Percentile(List<double> sorted, double fraction) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(fraction * sorted.Count))];

    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
