using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using OrleansRaft.Abstractions;
using OrleansRaft.Benchmarks;

namespace OrleansRaft.EtcdBench;

/// <summary>
/// Where one put's time goes at one client: a <see cref="ServedCluster"/> on PostgreSQL, one client sending 256-byte
/// puts one at a time through the etcd gateway, and a listener on the <see cref="RaftTracing"/> spans and ASP.NET
/// Core's request activity. Per run it prints each stage's spans per put and their median and mean duration, then
/// PostgreSQL's commits, WAL flushes and rows per put and the CPU per put of this process and of PostgreSQL.
/// </summary>
/// <remarks>
/// Each run reads PostgreSQL's statistics after a quiet pause on both sides of the measured window (see
/// <see cref="PostgresCounters"/>); the group is quiescent then and writes nothing.
/// </remarks>
internal static class BudgetCommand
{
    private const string AspNetCoreSource = "Microsoft.AspNetCore";
    private static readonly TimeSpan StatisticsPause = TimeSpan.FromSeconds(11);

    public static async Task<int> RunAsync(string[] args)
    {
        string? postgres = null;
        var seconds = 10.0;
        var runs = 3;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--postgres": postgres = args[++i]; break;
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"budget: unknown argument {args[i]}"); return 2;
            }
        }

        if (string.IsNullOrWhiteSpace(postgres) || seconds <= 0 || runs < 1)
        {
            Console.Error.WriteLine("budget: needs --postgres CONNECTION-STRING, --seconds > 0, --runs >= 1.");
            return 2;
        }

        var spans = new SpanRecorder();
        using var listener = spans.Listen();
        await using var served = await ServedCluster.StartAsync(postgres, port: 0);
        using var etcd = new EtcdClient($"http://{served.Endpoint}", configureChannelOptions: o => o.Credentials = ChannelCredentials.Insecure);
        var kv = etcd.GetConnection().KVClient;
        var value = ByteString.CopyFrom(Enumerable.Range(0, 256).Select(i => (byte)('a' + (i % 26))).ToArray());

        Console.WriteLine($"budget: 1 client, 256-byte puts one at a time through the etcd gateway, {seconds:F0} s per run, {runs} runs");
        for (var run = 1; run <= runs; run++)
        {
            await PutForAsync(kv, value, TimeSpan.FromSeconds(1), latencies: null);
            await Task.Delay(StatisticsPause);
            var before = await PostgresCounters.ReadAsync(postgres);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;

            var latencies = new List<double>();
            spans.Recording = true;
            await PutForAsync(kv, value, TimeSpan.FromSeconds(seconds), latencies);
            spans.Recording = false;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

            await Task.Delay(StatisticsPause);
            var after = await PostgresCounters.ReadAsync(postgres);
            Print(run, latencies, spans.Drain(), after - before, cpu);
        }

        return 0;
    }

    private static async Task PutForAsync(KV.KVClient kv, ByteString value, TimeSpan duration, List<double>? latencies)
    {
        var random = new Random(7);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            var key = ByteString.CopyFromUtf8(string.Create(CultureInfo.InvariantCulture, $"/bench/key/{random.Next(1000):D6}"));
            var started = Stopwatch.GetTimestamp();
            await kv.PutAsync(new PutRequest { Key = key, Value = value }, deadline: DateTime.UtcNow.AddSeconds(10));
            latencies?.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private static void Print(int run, List<double> latencies, IReadOnlyList<Span> spans, PostgresCounters postgres, TimeSpan cpu)
    {
        var puts = latencies.Count;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {run}: {puts} puts, {puts / latencies.Sum() * 1000:F0} ops/s"));
        Console.WriteLine($"  {"stage",-40} {"per put",8} {"p50 ms",8} {"mean ms",8}");
        Row("client put (gRPC round trip)", latencies);
        Row("gateway request (server side)", Durations(AspNetCoreSource, null));
        Row("KvClient write (grain calls)", Durations(RaftTracing.KvClientWrite, null));
        Row("propose on the leader (turn to answer)", Durations(RaftTracing.Propose, null));
        Row("group commit gathering", Durations(RaftTracing.Gather, null));
        Row("leader Ready", Durations(RaftTracing.Ready, "leader"));
        Row("  leader log write", Durations(RaftTracing.LogWrite, "leader"));
        Row("follower Ready (both followers)", Durations(RaftTracing.Ready, "follower"));
        Row("  follower log write", Durations(RaftTracing.LogWrite, "follower"));
        Row("apply (every member)", Durations(RaftTracing.Apply, null));
        Row("PostgreSQL round trip (batching provider)", Durations(RaftTracing.StorageRoundTrip, null));
        var requests = spans.Where(s => s.Name == RaftTracing.StorageRoundTrip).Sum(s => s.Count);
        var roundTrips = spans.Count(s => s.Name == RaftTracing.StorageRoundTrip);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  storage requests per round trip {(double)requests / Math.Max(1, roundTrips):F2}; per put: PostgreSQL commits {postgres.Commits / (double)puts:F2}, " +
            $"WAL flushes {postgres.WalSyncs / (double)puts:F2}, rows inserted {postgres.Inserted / (double)puts:F2}, updated {postgres.Updated / (double)puts:F2}, deleted {postgres.Deleted / (double)puts:F2}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  CPU per put: this process (silos, gateway, client) {cpu.TotalMilliseconds / puts:F2} ms, PostgreSQL {postgres.CpuSeconds * 1000 / puts:F2} ms"));

        List<double> Durations(string name, string? role) =>
            spans.Where(s => s.Name == name && (role is null || s.Role == role)).Select(s => s.Milliseconds).ToList();

        void Row(string stage, List<double> values)
        {
            values.Sort();
            var median = values.Count == 0 ? 0 : values[values.Count / 2];
            var mean = values.Count == 0 ? 0 : values.Average();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {stage,-40} {values.Count / (double)puts,8:F2} {median,8:F3} {mean,8:F3}"));
        }
    }

    private sealed record Span(string Name, string? Role, long Count, double Milliseconds);

    /// <summary>The spans that end while <see cref="Recording"/> is set; ASP.NET Core's request activity is recorded under its source's name.</summary>
    private sealed class SpanRecorder
    {
        private readonly ConcurrentQueue<Span> _spans = new();

        public volatile bool Recording;

        public ActivityListener Listen()
        {
            var listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name is RaftTracing.SourceName or AspNetCoreSource,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    if (!Recording)
                    {
                        return;
                    }

                    var name = activity.Source.Name == AspNetCoreSource ? AspNetCoreSource : activity.OperationName;
                    var count = activity.GetTagItem(RaftTracing.CountTag) is int n ? n : 0;
                    _spans.Enqueue(new Span(name, activity.GetTagItem(RaftTracing.RoleTag) as string, count, activity.Duration.TotalMilliseconds));
                },
            };
            ActivitySource.AddActivityListener(listener);
            return listener;
        }

        public IReadOnlyList<Span> Drain()
        {
            var drained = new List<Span>();
            while (_spans.TryDequeue(out var span))
            {
                drained.Add(span);
            }

            return drained;
        }
    }
}
