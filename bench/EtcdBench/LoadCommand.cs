using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using OrleansRaft.Etcd.Hosting;

namespace OrleansRaft.EtcdBench;

/// <summary>
/// Closed-loop load through dotnet-etcd's generated KV client (no retries): N clients, each with its own connection
/// to one of the endpoints (round-robin), each sending one request at a time for the duration, after a one-second
/// warm-up. Puts write 256-byte values over a set of keys; gets read them linearizably (get) or serializably (sget).
/// Prints one line: <c>RESULT op=.. clients=.. ops=.. ops_per_s=.. p50_ms=.. p99_ms=.. errors=..</c>.
/// </summary>
internal static class LoadCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        string[] endpoints = [];
        var op = "put";
        var clients = 1;
        var seconds = 10.0;
        var warmUpSeconds = 1.0;
        var valueBytes = 256;
        var keys = 1000;
        string? cacert = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--endpoints": endpoints = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries); break;
                case "--op": op = args[++i]; break;
                case "--clients": clients = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmUpSeconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--value-bytes": valueBytes = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--keys": keys = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--cacert": cacert = args[++i]; break;
                default: Console.Error.WriteLine($"load: unknown argument {args[i]}"); return 2;
            }
        }

        if (endpoints.Length == 0 || op is not ("put" or "get" or "sget") || clients < 1 || seconds <= 0 || warmUpSeconds < 0 || keys < 1)
        {
            Console.Error.WriteLine("load: needs --endpoints, --op put|get|sget, --clients >= 1, --seconds > 0, --warmup >= 0, --keys >= 1.");
            return 2;
        }

        var value = ByteString.CopyFrom(Enumerable.Range(0, valueBytes).Select(i => (byte)('a' + (i % 26))).ToArray());
        var connections = Enumerable.Range(0, clients).Select(i => Connect(endpoints[i % endpoints.Length], cacert)).ToArray();
        try
        {
            if (op != "put")
            {
                await FillAsync(connections[0].GetConnection().KVClient, keys, value);
            }

            var warmUp = TimeSpan.FromSeconds(warmUpSeconds);
            var measured = TimeSpan.FromSeconds(seconds);
            var clock = Stopwatch.StartNew();
            var results = await Task.WhenAll(connections.Select((connection, index) => Task.Run(() =>
                ClientLoopAsync(connection.GetConnection().KVClient, op, index, keys, value, clock, warmUp, warmUp + measured))));

            var latencies = results.SelectMany(r => r.Latencies).Order().ToArray();
            var errors = results.Sum(r => r.Errors);
            var rate = latencies.Length / measured.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT op={op} clients={clients} ops={latencies.Length} ops_per_s={rate:F0} p50_ms={Percentile(latencies, 0.50):F2} p99_ms={Percentile(latencies, 0.99):F2} errors={errors}"));
            if (errors > 0)
            {
                Console.Error.WriteLine($"load: {errors} requests failed; first: {results.Select(r => r.FirstError).FirstOrDefault(e => e is not null)}");
            }

            return 0;
        }
        finally
        {
            foreach (var connection in connections)
            {
                connection.Dispose();
            }
        }
    }

    private static async Task FillAsync(KV.KVClient kv, int keys, ByteString value)
    {
        for (var start = 0; start < keys; start += 100)
        {
            var txn = new TxnRequest();
            for (var k = start; k < Math.Min(keys, start + 100); k++)
            {
                txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Key(k), Value = value } });
            }

            await kv.TxnAsync(txn, deadline: DateTime.UtcNow.AddSeconds(30));
        }
    }

    private static async Task<ClientResult> ClientLoopAsync(
        KV.KVClient kv, string op, int index, int keys, ByteString value, Stopwatch clock, TimeSpan warmUp, TimeSpan end)
    {
        var latencies = new List<double>(4096);
        var errors = 0;
        string? firstError = null;
        var random = new Random(index);
        while (clock.Elapsed < end)
        {
            var key = Key(random.Next(keys));
            var started = Stopwatch.GetTimestamp();
            try
            {
                if (op == "put")
                {
                    await kv.PutAsync(new PutRequest { Key = key, Value = value }, deadline: DateTime.UtcNow.AddSeconds(10));
                }
                else
                {
                    await kv.RangeAsync(new RangeRequest { Key = key, Serializable = op == "sget" }, deadline: DateTime.UtcNow.AddSeconds(10));
                }

                if (clock.Elapsed >= warmUp)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
            catch (RpcException e)
            {
                errors++;
                firstError ??= e.Status.ToString();
            }
        }

        return new ClientResult(latencies, errors, firstError);
    }

    private static ByteString Key(int k) => ByteString.CopyFromUtf8(string.Create(CultureInfo.InvariantCulture, $"/bench/key/{k:D6}"));

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    private sealed record ClientResult(List<double> Latencies, int Errors, string? FirstError);

    /// <summary>A client over HTTP/2 cleartext, or over TLS trusting only the authority in <paramref name="cacert"/>.</summary>
    private static EtcdClient Connect(string endpoint, string? cacert)
    {
        if (cacert is null)
        {
            return new EtcdClient($"http://{endpoint}", configureChannelOptions: o => o.Credentials = ChannelCredentials.Insecure);
        }

        var authorities = EtcdTls.LoadAuthorities([cacert]);
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null
            && EtcdTls.ChainsTo(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), authorities, EtcdTls.ServerAuthentication);
        return new EtcdClient($"https://{endpoint}", configureChannelOptions: o =>
        {
            o.HttpHandler = handler;
            o.Credentials = ChannelCredentials.SecureSsl;
        });
    }
}
