namespace OrleansRaft.Linearizability;

/// <summary>
/// A response of the key-value register: what a get read (null when absent), whether a compare-and-set
/// swapped, or the acknowledgement of a put.
/// </summary>
/// <remarks>
/// An output means something only next to its request's kind: <see cref="Written"/>, <see cref="Absent"/> and a
/// failed compare-and-set hold the same fields and compare equal.
/// </remarks>
public sealed record KvOutput
{
    private KvOutput(string? value, bool swapped)
    {
        Value = value;
        Swapped = swapped;
    }

    /// <summary>The acknowledgement of a put.</summary>
    public static KvOutput Written { get; } = new(null, false);

    /// <summary>A get that found the key absent.</summary>
    public static KvOutput Absent { get; } = new(null, false);

    /// <summary>The value a get read; null when the key was absent.</summary>
    public string? Value { get; }

    /// <summary>Whether a compare-and-set swapped.</summary>
    public bool Swapped { get; }

    /// <summary>A get that read <paramref name="value"/> (null: absent).</summary>
    public static KvOutput Read(string? value) => value is null ? Absent : new(value, false);

    public static KvOutput CompareAndSet(bool swapped) => new(null, swapped);

    /// <summary>How the output reads for an operation of <paramref name="kind"/>.</summary>
    public string Describe(KvOperationKind kind) => kind switch
    {
        KvOperationKind.Put => "ok",
        KvOperationKind.Get => Value is null ? "absent" : KvText.Quote(Value),
        _ => Swapped ? "true" : "false",
    };
}
