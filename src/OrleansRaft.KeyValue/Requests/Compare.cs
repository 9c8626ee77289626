namespace OrleansRaft.KeyValue;

/// <summary>The field a <see cref="Compare"/> reads.</summary>
public enum CompareTarget
{
    Version = 0,
    Create = 1,
    Mod = 2,
    Value = 3,
    Lease = 4,
}

/// <summary>How a <see cref="Compare"/> relates the field to its operand.</summary>
public enum CompareOperator
{
    Equal = 0,
    Greater = 1,
    Less = 2,
    NotEqual = 3,
}

/// <summary>
/// A condition of a <see cref="TxnRequest"/>: <c>field(key) operator operand</c>. A missing key has version, create
/// revision, mod revision and lease 0, and no value: every compare on the value of a missing key fails. With a
/// <see cref="RangeEnd"/>, every key of the range must satisfy the condition (an empty range acts as a missing key).
/// Values compare as byte strings, in ordinal order.
/// </summary>
public sealed class Compare
{
    private Compare(ReadOnlyMemory<byte> key, CompareTarget target, CompareOperator op, long number, ReadOnlyMemory<byte> value)
    {
        Key = key;
        Target = target;
        Operator = op;
        Number = number;
        Value = value;
    }

    public ReadOnlyMemory<byte> Key { get; }

    /// <summary>See <see cref="KeyRanges"/>: empty for the key alone.</summary>
    public ReadOnlyMemory<byte> RangeEnd { get; private init; }

    public CompareTarget Target { get; }

    public CompareOperator Operator { get; }

    /// <summary>The operand for every target but <see cref="CompareTarget.Value"/>.</summary>
    public long Number { get; }

    /// <summary>The operand for <see cref="CompareTarget.Value"/>.</summary>
    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>This condition over every key of [Key, <paramref name="rangeEnd"/>) (see <see cref="KeyRanges"/>).</summary>
    public Compare WithRangeEnd(ReadOnlyMemory<byte> rangeEnd) => Create(Key, rangeEnd, Target, Operator, Number, Value);

    public static Compare ForValue(ReadOnlyMemory<byte> key, CompareOperator op, ReadOnlyMemory<byte> value) =>
        new(key, CompareTarget.Value, op, 0, value);

    public static Compare ForVersion(ReadOnlyMemory<byte> key, CompareOperator op, long version) =>
        new(key, CompareTarget.Version, op, version, ReadOnlyMemory<byte>.Empty);

    public static Compare ForCreateRevision(ReadOnlyMemory<byte> key, CompareOperator op, long revision) =>
        new(key, CompareTarget.Create, op, revision, ReadOnlyMemory<byte>.Empty);

    public static Compare ForModRevision(ReadOnlyMemory<byte> key, CompareOperator op, long revision) =>
        new(key, CompareTarget.Mod, op, revision, ReadOnlyMemory<byte>.Empty);

    public static Compare ForLease(ReadOnlyMemory<byte> key, CompareOperator op, long lease) =>
        new(key, CompareTarget.Lease, op, lease, ReadOnlyMemory<byte>.Empty);

    internal static Compare Create(
        ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> rangeEnd, CompareTarget target, CompareOperator op, long number, ReadOnlyMemory<byte> value) =>
        new(key, target, op, number, value) { RangeEnd = rangeEnd };
}
