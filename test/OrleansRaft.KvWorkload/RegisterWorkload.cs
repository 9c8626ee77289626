using System.Collections.Concurrent;
using OrleansRaft.Client;
using OrleansRaft.KeyValue;
using OrleansRaft.Linearizability;

namespace OrleansRaft.KvWorkload;

/// <summary>A write the store acknowledged: the value it gave the key, at which revision.</summary>
public sealed record AcknowledgedWrite(string Key, string Value, long Revision);

/// <summary>
/// Clients that put, read linearizably and compare-and-swap a few keys, each value written once in the whole run,
/// and record what they saw in a <see cref="KvHistory"/>. A compare-and-swap is a transaction that puts the new value
/// when the key holds the expected one (or, expecting nothing, when the key does not exist).
/// </summary>
public sealed class RegisterWorkload(IReadOnlyList<string> keys, TimeSpan callTimeout)
{
    private readonly ConcurrentDictionary<string, string?> _lastSeen = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<AcknowledgedWrite> _acknowledged = new();
    private int _completed;
    private int _unknown;
    private int _refused;

    public KvHistory History { get; } = new();

    /// <summary>Puts and swaps the store acknowledged.</summary>
    public IReadOnlyCollection<AcknowledgedWrite> Acknowledged => _acknowledged;

    /// <summary>Operations answered so far.</summary>
    public int Completed => Volatile.Read(ref _completed);

    /// <summary>Operations whose outcome the client never learned: they timed out.</summary>
    public int Unknown => Volatile.Read(ref _unknown);

    /// <summary>Operations the store refused.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>
    /// Runs operations chosen by <paramref name="random"/> through <paramref name="client"/>, one at a time, until
    /// <paramref name="stop"/> is cancelled; the operation under way when it is runs to its end.
    /// </summary>
    public async Task RunAsync(int clientId, KvClient client, Random random, CancellationToken stop)
    {
        var call = new KvCallOptions { Timeout = callTimeout, Consistency = ReadConsistency.Linearizable };
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var key = keys[random.Next(keys.Count)];
            var value = $"c{clientId}-{n}";
            var dice = random.NextDouble();
            var input = dice < 0.35 ? KvInput.Put(key, value)
                : dice < 0.7 ? KvInput.Get(key)
                : KvInput.CompareAndSet(key, random.Next(8) == 0 ? null : _lastSeen.GetValueOrDefault(key), value);
            var id = History.Invoke(clientId, input);
            try
            {
                var output = await CallAsync(client, input, call);
                History.Complete(id, output);
                Interlocked.Increment(ref _completed);
            }
            catch (TimeoutException)
            {
                Interlocked.Increment(ref _unknown);
            }
            catch (KvRequestException)
            {
                History.Refuse(id);
                Interlocked.Increment(ref _refused);
            }
        }
    }

    private async Task<KvOutput> CallAsync(KvClient client, KvInput input, KvCallOptions call)
    {
        switch (input.Kind)
        {
            case KvOperationKind.Put:
            {
                var put = await client.PutAsync(input.Key, input.Value!, call);
                Acknowledge(input.Key, input.Value!, put.Revision);
                return KvOutput.Written;
            }

            case KvOperationKind.Get:
            {
                var read = await client.GetAsync(input.Key, call);
                var value = read is null ? null : KvBytes.ToText(read.Value);
                _lastSeen[input.Key] = value;
                return KvOutput.Read(value);
            }

            default:
            {
                var key = KvBytes.From(input.Key);
                var compare = input.Expected is null
                    ? Compare.ForVersion(key, CompareOperator.Equal, 0)
                    : Compare.ForValue(key, CompareOperator.Equal, KvBytes.From(input.Expected));
                var txn = await client.TxnAsync(
                    new TxnRequest { Compares = [compare], Success = [new PutRequest(key, KvBytes.From(input.Value!))] }, call);
                if (txn.Succeeded)
                {
                    Acknowledge(input.Key, input.Value!, txn.Revision);
                }

                return KvOutput.CompareAndSet(txn.Succeeded);
            }
        }
    }

    private void Acknowledge(string key, string value, long revision)
    {
        _acknowledged.Enqueue(new AcknowledgedWrite(key, value, revision));
        _lastSeen[key] = value;
    }
}
