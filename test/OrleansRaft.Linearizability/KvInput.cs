namespace OrleansRaft.Linearizability;

/// <summary>A request to the key-value register.</summary>
public sealed record KvInput
{
    private KvInput(KvOperationKind kind, string key, string? value, string? expected)
    {
        ArgumentNullException.ThrowIfNull(key);
        Kind = kind;
        Key = key;
        Value = value;
        Expected = expected;
    }

    public KvOperationKind Kind { get; }

    public string Key { get; }

    /// <summary>The value a put writes, or the new value of a compare-and-set; null for a get.</summary>
    public string? Value { get; }

    /// <summary>The value a compare-and-set expects; null means the key must be absent.</summary>
    public string? Expected { get; }

    public static KvInput Put(string key, string value) => new(KvOperationKind.Put, key, value ?? throw new ArgumentNullException(nameof(value)), null);

    public static KvInput Get(string key) => new(KvOperationKind.Get, key, null, null);

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/> if it holds <paramref name="expected"/> (null: if it is absent).</summary>
    public static KvInput CompareAndSet(string key, string? expected, string value) =>
        new(KvOperationKind.CompareAndSet, key, value ?? throw new ArgumentNullException(nameof(value)), expected);

    public override string ToString() => Kind switch
    {
        KvOperationKind.Put => $"Put({Key}, {KvText.Quote(Value)})",
        KvOperationKind.Get => $"Get({Key})",
        _ => $"CompareAndSet({Key}, {KvText.Quote(Expected)} -> {KvText.Quote(Value)})",
    };
}
