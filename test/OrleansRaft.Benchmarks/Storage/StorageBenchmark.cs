using System.Diagnostics;
using System.Globalization;
using OrleansRaft.Core;
using OrleansRaft.Hosting.Storage;

namespace OrleansRaft.Benchmarks.Storage;

/// <summary>
/// Append throughput and latency of <see cref="GrainStorageRaftLogStore"/> on the ADO.NET provider over
/// PostgreSQL (fsync on): every append is one durable storage write, so entries/s is batch size times the
/// durable writes/s the database sustains.
/// </summary>
internal static class StorageBenchmark
{
    private const int EntrySize = 128;

    public sealed record Settings(int[] Batches, int[] Members, ulong[] Lengths, TimeSpan Round, int LatencySamples);

    public static Settings Defaults => new([1, 16, 256], [1, 3, 16], [0, 100_000, 1_000_000], TimeSpan.FromSeconds(3), 300);

    /// <summary>Runs with <c>--batch 1,16,256 --members 1,3,16 --lengths 0,100000,1000000 --round-seconds 3 --samples 300</c> by default.</summary>
    public static int Run(string[] args)
    {
        var settings = Defaults;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                settings = args[i] switch
                {
                    "--batch" => settings with { Batches = Next().Split(',').Select(int.Parse).ToArray() },
                    "--members" => settings with { Members = Next().Split(',').Select(int.Parse).ToArray() },
                    "--lengths" => settings with { Lengths = Next().Split(',').Select(ulong.Parse).ToArray() },
                    "--round-seconds" => settings with { Round = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) },
                    "--samples" => settings with { LatencySamples = int.Parse(Next()) },
                    _ => throw new ArgumentException($"unknown argument '{args[i]}'"),
                };
            }

            if (settings.Batches.Any(b => b <= 0) || settings.Members.Any(m => m <= 0) || settings.LatencySamples <= 0)
            {
                throw new ArgumentException("batch sizes, member counts and samples must be positive");
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
        await using var silo = await StorageSilo.Start();
        Console.WriteLine($"append to PostgreSQL through the ADO.NET grain storage provider; entries of {EntrySize} bytes; {Environment.ProcessorCount} cores");
        var baseline = await RawInserts(silo, settings.Round);
        Console.WriteLine(
            $"baseline: one writer inserting 200-byte grain states straight through the provider: {baseline.Appends / baseline.Seconds:F0} writes/s, " +
            $"p50 {Percentile(baseline.Latencies, 0.50):F2} ms, p99 {Percentile(baseline.Latencies, 0.99):F2} ms");
        Console.WriteLine();
        Console.WriteLine("throughput, members appending at once for " + settings.Round.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s each");
        Console.WriteLine($"{"batch",6} {"members",8} {"appends/s",10} {"entries/s",11} {"entries/s/member",17} {"p50 ms",8} {"p99 ms",8}");
        foreach (var batch in settings.Batches)
        {
            foreach (var members in settings.Members)
            {
                var result = await Throughput(silo, batch, members, settings.Round);
                Console.WriteLine(
                    $"{batch,6} {members,8} {result.Appends / result.Seconds,10:F0} {result.Appends * batch / result.Seconds,11:F0} " +
                    $"{result.Appends * batch / result.Seconds / members,17:F0} {Percentile(result.Latencies, 0.50),8:F2} {Percentile(result.Latencies, 0.99),8:F2}");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"latency by log length, one member, {settings.LatencySamples} appends per batch size");
        Console.WriteLine($"{"length",10} {"batch",6} {"p50 ms",8} {"p99 ms",8} {"entries/s",11}");
        await LatencyByLength(silo, settings);
        return 0;
    }

    private sealed record Result(long Appends, double Seconds, List<double> Latencies);

    private static async Task<Result> Throughput(StorageSilo silo, int batch, int members, TimeSpan round)
    {
        var stores = new List<GrainStorageRaftLogStore>();
        for (var i = 0; i < members; i++)
        {
            var store = new GrainStorageRaftLogStore(silo.Storage, $"bench-{Guid.NewGuid():N}/{i + 1}");
            await store.LoadAsync();
            stores.Add(store);
        }

        // A short warm-up opens the connections and compiles the paths, then every member appends until the round ends.
        await Task.WhenAll(stores.Select(s => AppendFor(s, batch, TimeSpan.FromSeconds(0.5), [])));
        var latencies = stores.Select(_ => new List<double>()).ToArray();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(stores.Select((s, i) => AppendFor(s, batch, round, latencies[i])));
        var seconds = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).ToList();
        return new Result(all.Count, seconds, all);
    }

    /// <summary>What the provider and the database do without the log store: sequential inserts of small records.</summary>
    private static async Task<Result> RawInserts(StorageSilo silo, TimeSpan round)
    {
        var latencies = new List<double>();
        var prefix = $"bench-raw-{Guid.NewGuid():N}/";
        var payload = new byte[200];
        var clock = Stopwatch.StartNew();
        for (var i = 0; clock.Elapsed < round; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await silo.Storage.WriteStateAsync("raft-bench", GrainId.Create("raftlog", prefix + i), new GrainState<byte[]>(payload));
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return new Result(latencies.Count, clock.Elapsed.TotalSeconds, latencies);
    }

    private static async Task AppendFor(GrainStorageRaftLogStore store, int batch, TimeSpan duration, List<double> latencies)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            latencies.Add(await TimedAppend(store, batch));
        }
    }

    private static async Task LatencyByLength(StorageSilo silo, Settings settings)
    {
        var member = $"bench-{Guid.NewGuid():N}/1";
        var store = new GrainStorageRaftLogStore(silo.Storage, member);
        await store.LoadAsync();
        foreach (var length in settings.Lengths.Order())
        {
            // Grows the log with large batches (4,096 entries, one storage write each) up to the length measured.
            var grow = Stopwatch.StartNew();
            while (store.LastIndex + 4096 <= length)
            {
                await store.AppendAsync(Batch(store.LastIndex + 1, 4096));
            }

            if (store.LastIndex < length)
            {
                await store.AppendAsync(Batch(store.LastIndex + 1, (int)(length - store.LastIndex)));
            }

            var grown = grow.Elapsed;
            foreach (var batch in settings.Batches)
            {
                var latencies = new List<double>(settings.LatencySamples);
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < settings.LatencySamples; i++)
                {
                    latencies.Add(await TimedAppend(store, batch));
                }

                var entriesPerSecond = settings.LatencySamples * batch / clock.Elapsed.TotalSeconds;
                Console.WriteLine($"{store.LastIndex - (ulong)(settings.LatencySamples * batch),10} {batch,6} {Percentile(latencies, 0.50),8:F2} {Percentile(latencies, 0.99),8:F2} {entriesPerSecond,11:F0}");

                // Measured appends count toward the length: bring the log back to the nominal length for the next batch size.
                await store.TruncateSuffixAsync(length + 1);
            }

            if (grown > TimeSpan.FromSeconds(1))
            {
                Console.WriteLine($"{"",10} (growing the log to {length:N0} entries took {grown.TotalSeconds:F1} s)");
            }
        }

        var reload = Stopwatch.StartNew();
        var reloaded = new GrainStorageRaftLogStore(silo.Storage, member);
        var state = await reloaded.LoadAsync();
        Console.WriteLine($"loading the log of {state.Entries.Count:N0} entries took {reload.Elapsed.TotalSeconds:F1} s");
    }

    private static readonly byte[] Payload = Enumerable.Range(0, EntrySize).Select(i => (byte)i).ToArray();

    private static Entry[] Batch(ulong first, int count)
    {
        var entries = new Entry[count];
        for (var i = 0; i < count; i++)
        {
            entries[i] = new Entry(1, first + (ulong)i, EntryType.Normal, Payload);
        }

        return entries;
    }

    private static async Task<double> TimedAppend(GrainStorageRaftLogStore store, int batch)
    {
        var entries = Batch(store.LastIndex + 1, batch);
        var start = Stopwatch.GetTimestamp();
        await store.AppendAsync(entries);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static double Percentile(List<double> values, double fraction)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(fraction * sorted.Length) - 1)];
    }
}
