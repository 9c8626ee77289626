using System.Collections.Concurrent;
using System.Diagnostics;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using OrleansRaft.Linearizability;

namespace OrleansRaft.Host.Tests.Infrastructure;

/// <summary>A write the gateway acknowledged: the value it gave the key, at which revision, and when it answered.</summary>
internal sealed record AcknowledgedPut(string Key, string Value, long Revision, TimeSpan At);

/// <summary>
/// etcd clients (the generated gRPC stubs, no client library retries) that put, read and compare-and-swap a few keys
/// through the gateways, each value written once, and record what they saw for <see cref="KvChecker"/>.
/// </summary>
/// <remarks>
/// A call that failed with <c>Unavailable</c> or ran out of its deadline has an unknown outcome: a write stays pending
/// in the history (it may have applied), a read is left out (it constrains nothing). Any other status is an error of
/// the gateway: it is counted in <see cref="OtherErrors"/>, which a test expects to be empty. Times are ticks of one
/// counter advanced under a lock, so calls and returns keep their real-time order.
/// </remarks>
internal sealed class EtcdRegisterWorkload(IReadOnlyList<string> keys, TimeSpan deadline, Stopwatch clock)
{
    private readonly Lock _gate = new();
    private readonly HistoryRecorder<KvInput, KvOutput> _recorder = new();
    private readonly HashSet<int> _leftOut = [];
    private readonly ConcurrentDictionary<string, string?> _lastSeen = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<AcknowledgedPut> _acknowledged = new();
    private readonly ConcurrentQueue<string> _otherErrors = new();
    private long _time;
    private int _completed;
    private int _unavailable;
    private int _deadlines;

    public int Completed => Volatile.Read(ref _completed);

    /// <summary>Calls answered <c>Unavailable</c>: what etcd clients retry.</summary>
    public int Unavailable => Volatile.Read(ref _unavailable);

    /// <summary>Calls that outlived their deadline without an answer.</summary>
    public int DeadlinesExceeded => Volatile.Read(ref _deadlines);

    /// <summary>Calls answered with any other status, as "code: message".</summary>
    public IReadOnlyCollection<string> OtherErrors => _otherErrors;

    public IReadOnlyCollection<AcknowledgedPut> Acknowledged => _acknowledged;

    /// <summary>Runs operations chosen by <paramref name="random"/> one at a time until <paramref name="stop"/> is cancelled.</summary>
    public async Task RunAsync(int clientId, KV.KVClient client, Random random, CancellationToken stop)
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var key = keys[random.Next(keys.Count)];
            var value = $"c{clientId}-{n}";
            var dice = random.NextDouble();
            var input = dice < 0.4 ? KvInput.Put(key, value)
                : dice < 0.8 ? KvInput.Get(key)
                : KvInput.CompareAndSet(key, random.Next(8) == 0 ? null : _lastSeen.GetValueOrDefault(key), value);
            var id = Invoke(clientId, input);
            try
            {
                var output = await CallAsync(client, input, DateTime.UtcNow + deadline);
                Complete(id, output);
                Interlocked.Increment(ref _completed);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                Interlocked.Increment(ref e.StatusCode == StatusCode.Unavailable ? ref _unavailable : ref _deadlines);
                if (input.Kind == KvOperationKind.Get)
                {
                    LeaveOut(id);
                }
            }
            catch (RpcException e)
            {
                _otherErrors.Enqueue($"{e.StatusCode}: {e.Status.Detail}");
                LeaveOut(id);
            }
        }
    }

    /// <summary>The history for the checker: pending writes stay, reads without an answer are left out.</summary>
    public IReadOnlyList<Operation<KvInput, KvOutput>> History()
    {
        lock (_gate)
        {
            return [.. _recorder.ToHistory().Where((op, id) => !_leftOut.Contains(id))];
        }
    }

    private async Task<KvOutput> CallAsync(KV.KVClient client, KvInput input, DateTime until)
    {
        var key = ByteString.CopyFromUtf8(input.Key);
        switch (input.Kind)
        {
            case KvOperationKind.Put:
            {
                var put = await client.PutAsync(new PutRequest { Key = key, Value = ByteString.CopyFromUtf8(input.Value!) }, deadline: until);
                Acknowledge(input.Key, input.Value!, put.Header.Revision);
                return KvOutput.Written;
            }

            case KvOperationKind.Get:
            {
                var range = await client.RangeAsync(new RangeRequest { Key = key }, deadline: until);
                var value = range.Kvs.Count == 0 ? null : range.Kvs[0].Value.ToStringUtf8();
                _lastSeen[input.Key] = value;
                return KvOutput.Read(value);
            }

            default:
            {
                var compare = input.Expected is null
                    ? new Compare { Key = key, Target = Compare.Types.CompareTarget.Version, Result = Compare.Types.CompareResult.Equal, Version = 0 }
                    : new Compare { Key = key, Target = Compare.Types.CompareTarget.Value, Result = Compare.Types.CompareResult.Equal, Value = ByteString.CopyFromUtf8(input.Expected) };
                var txn = new TxnRequest();
                txn.Compare.Add(compare);
                txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = key, Value = ByteString.CopyFromUtf8(input.Value!) } });
                var answer = await client.TxnAsync(txn, deadline: until);
                if (answer.Succeeded)
                {
                    Acknowledge(input.Key, input.Value!, answer.Header.Revision);
                }

                return KvOutput.CompareAndSet(answer.Succeeded);
            }
        }
    }

    private int Invoke(int clientId, KvInput input)
    {
        lock (_gate)
        {
            return _recorder.Invoke(clientId, ++_time, input);
        }
    }

    private void Complete(int id, KvOutput output)
    {
        lock (_gate)
        {
            _recorder.Complete(id, ++_time, output);
        }
    }

    private void LeaveOut(int id)
    {
        lock (_gate)
        {
            _leftOut.Add(id);
        }
    }

    private void Acknowledge(string key, string value, long revision)
    {
        _acknowledged.Enqueue(new AcknowledgedPut(key, value, revision, clock.Elapsed));
        _lastSeen[key] = value;
    }
}
