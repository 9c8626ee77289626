namespace OrleansRaft.KeyValue.Tests;

/// <summary>
/// A state machine with its own log index: each command applies at the next index, through the byte encoding (as a
/// host does), and the typed result is decoded back. Helpers keep the tests short.
/// </summary>
internal sealed class Store
{
    public Store(KvLimits? limits = null)
    {
        Machine = new KvStateMachine(limits);
    }

    /// <summary>Wraps a state machine for its query helpers; apply through it only if nothing else does.</summary>
    public Store(KvStateMachine machine)
    {
        Machine = machine;
        Index = machine.AppliedIndex;
    }

    public KvStateMachine Machine { get; }

    public ulong Index { get; private set; }

    public long Revision => Machine.Revision;

    public static byte[] B(string text) => KvBytes.From(text);

    public static string S(ReadOnlyMemory<byte> bytes) => KvBytes.ToText(bytes);

    public KvResult Apply(KvRequest request, SessionStamp? session = null) => Apply(new KvCommand(request, session));

    public KvResult Apply(KvCommand command)
    {
        Index++;
        return KvCodec.DecodeResult(Machine.Apply(Index, KvCodec.EncodeCommand(command)));
    }

    /// <summary>Applies through the typed overload, for requests the codec cannot even encode.</summary>
    public KvResult ApplyTyped(KvRequest request)
    {
        Index++;
        return Machine.Apply(Index, new KvCommand(request));
    }

    public T Apply<T>(KvRequest request, SessionStamp? session = null)
        where T : KvResult
    {
        var result = Apply(request, session);
        return result as T ?? throw new Xunit.Sdk.XunitException($"expected {typeof(T).Name}, got {result.GetType().Name}: {result}");
    }

    /// <summary>Applies a command that must be refused, and returns the refusal's code.</summary>
    public KvErrorCode Refuse(KvRequest request, SessionStamp? session = null)
    {
        var result = Apply(request, session);
        return result is ErrorResult error ? error.Code : throw new Xunit.Sdk.XunitException($"expected a refusal, got {result.GetType().Name}");
    }

    public KvResult Query(KvRequest request) => KvCodec.DecodeResult(Machine.Query(KvCodec.EncodeQuery(request)));

    public T Query<T>(KvRequest request)
        where T : KvResult
    {
        var result = Query(request);
        return result as T ?? throw new Xunit.Sdk.XunitException($"expected {typeof(T).Name}, got {result.GetType().Name}: {result}");
    }

    public KvErrorCode RefuseQuery(KvRequest request)
    {
        var result = Query(request);
        return result is ErrorResult error ? error.Code : throw new Xunit.Sdk.XunitException($"expected a refusal, got {result.GetType().Name}");
    }

    public PutResult Put(string key, string value, long lease = 0, bool prevKv = false) =>
        Apply<PutResult>(new PutRequest(B(key), B(value)) { Lease = lease, PrevKv = prevKv });

    public DeleteRangeResult Delete(string key, string? rangeEnd = null, bool prevKv = false) =>
        Apply<DeleteRangeResult>(new DeleteRangeRequest(B(key)) { RangeEnd = rangeEnd is null ? default : B(rangeEnd), PrevKv = prevKv });

    public DeleteRangeResult DeletePrefix(string prefix) =>
        Apply<DeleteRangeResult>(new DeleteRangeRequest(B(prefix)) { RangeEnd = KeyRanges.PrefixEnd(B(prefix)) });

    public KeyValueEntry? Get(string key, long revision = 0)
    {
        var result = Query<RangeResult>(new RangeRequest(B(key)) { Revision = revision });
        return result.Kvs.Count == 0 ? null : result.Kvs[0];
    }

    public string? Value(string key, long revision = 0) => Get(key, revision) is { } kv ? S(kv.Value) : null;

    public RangeResult Range(string key, string? rangeEnd, long revision = 0, long limit = 0) =>
        Query<RangeResult>(new RangeRequest(B(key)) { RangeEnd = rangeEnd is null ? default : B(rangeEnd), Revision = revision, Limit = limit });

    public RangeResult Prefix(string prefix, long revision = 0) =>
        Query<RangeResult>(new RangeRequest(B(prefix)) { RangeEnd = KeyRanges.PrefixEnd(B(prefix)), Revision = revision });

    /// <summary>The keys of a range result, as text.</summary>
    public static string[] Keys(RangeResult result) => result.Kvs.Select(kv => S(kv.Key)).ToArray();

    public long Grant(long ttlSeconds, long id = 0) => Apply<LeaseGrantResult>(new LeaseGrantRequest(ttlSeconds) { Id = id }).Id;

    public TickResult Tick(long epoch, long nowMilliseconds) => Apply<TickResult>(new TickRequest(epoch, nowMilliseconds));

    public ulong OpenSession() => Apply<SessionOpenedResult>(new OpenSessionRequest()).SessionId;

    public EventsResult Events(string key, string? rangeEnd, long from, long limit = 0, long skip = 0) =>
        Query<EventsResult>(new EventsRequest(B(key)) { RangeEnd = rangeEnd is null ? default : B(rangeEnd), FromRevision = from, Limit = limit, Skip = skip });

    /// <summary>
    /// The snapshot without the applied index and the checksum: equal exactly when the whole state (sessions
    /// included) is equal, whatever was applied since. Cheap enough to take after every command.
    /// </summary>
    public byte[] StateBytes()
    {
        var snapshot = Machine.Snapshot();
        var i = 5; // "KVSN" and the format version
        while ((snapshot[i] & 0x80) != 0)
        {
            i++;
        }

        return snapshot[(i + 1)..^8];
    }

    /// <summary>
    /// Everything observable about the store, as text: revisions, every key-value at every retained revision, every
    /// retained event, leases with TTLs and keys, and the clock. Two stores with the same dump answer alike.
    /// </summary>
    public string Dump()
    {
        var m = Machine;
        var lines = new List<string> { $"revision {m.Revision} compact {m.CompactRevision} clock {m.ClockMilliseconds}" };
        var first = Math.Max(1, m.CompactRevision);
        for (var rev = first; rev <= m.Revision; rev++)
        {
            var all = Query<RangeResult>(new RangeRequest(new byte[] { 0 }) { RangeEnd = KeyRanges.FromKey, Revision = rev });
            lines.Add($"@{rev}: " + string.Join(", ", all.Kvs.Select(kv => kv.ToString())));
        }

        var events = Query<EventsResult>(new EventsRequest(new byte[] { 0 }) { RangeEnd = KeyRanges.FromKey, FromRevision = first, Limit = 1_000_000 });
        lines.AddRange(events.Events.Select(e => $"event {e} prev {e.PrevKv}"));
        foreach (var id in Query<LeaseListResult>(new LeaseListRequest()).Ids)
        {
            var ttl = m.LeaseTimeToLive(id, keys: true);
            lines.Add($"lease {id} ttl {ttl.GrantedTtlSeconds} remaining {ttl.RemainingMilliseconds} keys {string.Join(",", ttl.Keys.Select(S))}");
        }

        return string.Join("\n", lines);
    }
}
