using System.Collections.Concurrent;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using OrleansRaft.Etcd.Tests.Infrastructure;
using OrleansRaft.Linearizability;
using Xunit.Abstractions;

namespace OrleansRaft.Etcd.Tests;

/// <summary>
/// Read-your-writes through one endpoint, as etcd gives it: three clients, each connected to its own gateway, put and
/// compare-and-swap three shared keys and read them linearizably, and after each of their own acknowledged writes read
/// serializably (a range, and a compare-only transaction) while the leader's silo is killed. The linearizable
/// operations must form a linearizable history; every serializable read must show the client at least its own last
/// acknowledged write, and never less than it read before on its connection.
/// </summary>
[Collection(EtcdFaultCollection.Name)]
public sealed class ReadYourWritesTests(EtcdFaultCluster fixture, ITestOutputHelper output)
{
    private static readonly string[] Keys = ["/ryw/a", "/ryw/b", "/ryw/c"];

    /// <summary>Operations the clients complete before the kill, and again after the new leader is elected.</summary>
    private const int Progress = 60;

    [Fact]
    public async Task Serializable_reads_and_compare_only_txns_see_the_connections_own_writes_across_three_endpoints_while_the_leader_dies()
    {
        var seed = Environment.GetEnvironmentVariable("ETCD_TESTS_SEED") is { } given ? int.Parse(given) : Random.Shared.Next();
        output.WriteLine($"seed {seed} (replay with ETCD_TESTS_SEED={seed})");
        var history = new History();
        var violations = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var clients = fixture.Endpoints.Select(e => new EtcdClient(e, configureChannelOptions: o => o.Credentials = ChannelCredentials.Insecure)).ToList();
        try
        {
            var workers = clients.Select((client, i) => Task.Run(() => RunClientAsync(i + 1, client, new Random(seed + i), history, violations, stop.Token))).ToList();
            await WaitForProgressAsync(history, Progress, workers);
            var killed = await fixture.KillLeaderSiloAsync();
            output.WriteLine($"killed the silo of leader {killed} after {history.Completed} operations");
            await WaitForProgressAsync(history, history.Completed + Progress, workers);
            await stop.CancelAsync();
            await Task.WhenAll(workers).WaitAsync(EtcdGatewayCluster.Bound);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }

        output.WriteLine($"{history.Completed} operations answered, {history.SessionReads} serializable reads checked, {history.Unknown} outcomes unknown");
        Assert.True(violations.IsEmpty, string.Join('\n', violations.Take(10)));
        Assert.True(history.SessionReads > Progress, $"only {history.SessionReads} serializable reads were checked");
        var check = KvChecker.Check(history.ToHistory());
        output.WriteLine(check.Explanation);
        Assert.True(check.Outcome == CheckOutcome.Ok, $"The history is not linearizable ({check.Outcome}):\n{check.Explanation}");
    }

    /// <summary>One client on one connection: a random linearizable operation, and after each own write, the session reads.</summary>
    private static async Task RunClientAsync(int clientId, EtcdClient client, Random random, History history, ConcurrentQueue<string> violations, CancellationToken stop)
    {
        // What the connection was last answered at: by an acknowledged write, or by a serializable read.
        long floor = 0;
        var serial = 0;
        while (!stop.IsCancellationRequested)
        {
            var key = Keys[random.Next(Keys.Length)];
            var value = $"c{clientId}-{++serial}";
            long? wrote = null;
            switch (random.Next(3))
            {
                case 0:
                {
                    var id = history.Invoke(clientId, KvInput.Put(key, value));
                    if (await CallAsync(() => client.PutAsync(new PutRequest { Key = Bytes(key), Value = Bytes(value) }, deadline: Deadline())) is { } put)
                    {
                        history.Complete(id, KvOutput.Written);
                        wrote = put.Header.Revision;
                    }

                    break;
                }

                case 1:
                {
                    var id = history.Invoke(clientId, KvInput.Get(key));
                    if (await CallAsync(() => client.GetAsync(new RangeRequest { Key = Bytes(key) }, deadline: Deadline())) is { } get)
                    {
                        history.Complete(id, KvOutput.Read(get.Kvs.SingleOrDefault()?.Value.ToStringUtf8()));
                    }

                    break;
                }

                default:
                {
                    // Compare-and-set on the value the client last read linearizably (or absence).
                    var current = await CallAsync(() => client.GetAsync(new RangeRequest { Key = Bytes(key) }, deadline: Deadline()));
                    if (current is null)
                    {
                        break;
                    }

                    var expected = current.Kvs.SingleOrDefault()?.Value.ToStringUtf8();
                    var id = history.Invoke(clientId, KvInput.CompareAndSet(key, expected, value));
                    var compare = expected is null
                        ? new Compare { Key = Bytes(key), Target = Compare.Types.CompareTarget.Version, Result = Compare.Types.CompareResult.Equal, Version = 0 }
                        : new Compare { Key = Bytes(key), Target = Compare.Types.CompareTarget.Value, Result = Compare.Types.CompareResult.Equal, Value = Bytes(expected) };
                    var txn = new TxnRequest { Compare = { compare }, Success = { new RequestOp { RequestPut = new PutRequest { Key = Bytes(key), Value = Bytes(value) } } } };
                    if (await CallAsync(() => client.TransactionAsync(txn, deadline: Deadline())) is { } swapped)
                    {
                        history.Complete(id, KvOutput.CompareAndSet(swapped.Succeeded));
                        wrote = swapped.Succeeded ? swapped.Header.Revision : null;
                        floor = Math.Max(floor, swapped.Header.Revision);
                    }

                    break;
                }
            }

            if (wrote is not { } revision)
            {
                continue;
            }

            floor = Math.Max(floor, revision);
            await SessionReadsAsync(clientId, client, key, revision, floor, history, violations);
        }
    }

    /// <summary>
    /// After an acknowledged write of <paramref name="key"/> at <paramref name="revision"/>: a serializable range must
    /// hold the key at that revision or later, in a store at the connection's floor or later; a compare-only
    /// transaction (no operations, served as a serializable read) must find it modified at that revision or later.
    /// </summary>
    private static async Task SessionReadsAsync(int clientId, EtcdClient client, string key, long revision, long floor, History history, ConcurrentQueue<string> violations)
    {
        if (await CallAsync(() => client.GetAsync(new RangeRequest { Key = Bytes(key), Serializable = true }, deadline: Deadline())) is { } read)
        {
            history.SessionRead();
            var modified = read.Kvs.SingleOrDefault()?.ModRevision ?? 0;
            if (modified < revision || read.Header.Revision < floor)
            {
                violations.Enqueue($"client {clientId}: wrote {key} at {revision} (floor {floor}), a serializable read on its connection answered at {read.Header.Revision} with {key} modified at {modified}");
            }
        }

        var compareOnly = new TxnRequest
        {
            Compare = { new Compare { Key = Bytes(key), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Greater, ModRevision = revision - 1 } },
        };
        if (await CallAsync(() => client.TransactionAsync(compareOnly, deadline: Deadline())) is { } compared)
        {
            history.SessionRead();
            if (!compared.Succeeded || compared.Header.Revision < floor)
            {
                violations.Enqueue($"client {clientId}: wrote {key} at {revision} (floor {floor}), a compare-only txn on its connection answered at {compared.Header.Revision}: mod > {revision - 1} is {compared.Succeeded}");
            }
        }
    }

    /// <summary>The answer, or null when the call failed as a retryable etcd call does (its outcome is then unknown).</summary>
    private static async Task<T?> CallAsync<T>(Func<Task<T>> call)
        where T : class
    {
        try
        {
            return await call();
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            return null;
        }
    }

    private static async Task WaitForProgressAsync(History history, int completed, IReadOnlyList<Task> workers) =>
        await EtcdGatewayCluster.WaitUntilAsync(() =>
        {
            // A worker that failed ends the wait with its failure.
            if (workers.FirstOrDefault(w => w.IsFaulted) is { } failed)
            {
                failed.GetAwaiter().GetResult();
            }

            return Task.FromResult(history.Completed >= completed);
        }, $"{completed} operations answered");

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(10);

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    /// <summary>The linearizable operations for the checker (one clock under a lock), and counts.</summary>
    private sealed class History
    {
        private readonly Lock _gate = new();
        private readonly HistoryRecorder<KvInput, KvOutput> _recorder = new();
        private long _clock;
        private int _completed;
        private int _invoked;
        private int _sessionReads;

        public int Completed => Volatile.Read(ref _completed);

        public int SessionReads => Volatile.Read(ref _sessionReads);

        public int Unknown => Volatile.Read(ref _invoked) - Completed;

        public int Invoke(int clientId, KvInput input)
        {
            Interlocked.Increment(ref _invoked);
            lock (_gate)
            {
                return _recorder.Invoke(clientId, ++_clock, input);
            }
        }

        public void Complete(int id, KvOutput output)
        {
            lock (_gate)
            {
                _recorder.Complete(id, ++_clock, output);
            }

            Interlocked.Increment(ref _completed);
        }

        public void SessionRead() => Interlocked.Increment(ref _sessionReads);

        /// <summary>The history; a get that never returned constrains nothing and is left out.</summary>
        public IReadOnlyList<Operation<KvInput, KvOutput>> ToHistory()
        {
            lock (_gate)
            {
                return [.. _recorder.ToHistory().Where(op => !(op.IsPending && op.Input.Kind == KvOperationKind.Get))];
            }
        }
    }
}
