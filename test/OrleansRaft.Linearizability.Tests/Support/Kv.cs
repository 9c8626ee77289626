namespace OrleansRaft.Linearizability.Tests.Support;

/// <summary>Terse constructors for hand-written key-value histories.</summary>
internal static class Kv
{
    public static Operation<KvInput, KvOutput> Put(int client, long call, long ret, string key, string value) =>
        Operation.Completed(client, call, ret, KvInput.Put(key, value), KvOutput.Written);

    /// <summary>A get that read <paramref name="value"/>; null means it found the key absent.</summary>
    public static Operation<KvInput, KvOutput> Get(int client, long call, long ret, string key, string? value) =>
        Operation.Completed(client, call, ret, KvInput.Get(key), KvOutput.Read(value));

    public static Operation<KvInput, KvOutput> Cas(int client, long call, long ret, string key, string? expected, string value, bool swapped) =>
        Operation.Completed(client, call, ret, KvInput.CompareAndSet(key, expected, value), KvOutput.CompareAndSet(swapped));

    public static Operation<KvInput, KvOutput> PendingPut(int client, long call, string key, string value) =>
        Operation.Pending<KvInput, KvOutput>(client, call, KvInput.Put(key, value));

    public static Operation<KvInput, KvOutput> PendingGet(int client, long call, string key) =>
        Operation.Pending<KvInput, KvOutput>(client, call, KvInput.Get(key));

    public static Operation<KvInput, KvOutput> PendingCas(int client, long call, string key, string? expected, string value) =>
        Operation.Pending<KvInput, KvOutput>(client, call, KvInput.CompareAndSet(key, expected, value));

    public static CheckResult<KvInput, KvOutput> Check(params Operation<KvInput, KvOutput>[] history) => KvChecker.Check(history);
}
