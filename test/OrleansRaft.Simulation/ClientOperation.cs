namespace OrleansRaft.Simulation;

/// <summary>The kinds of operation the workload's clients perform on the registers.</summary>
public enum OperationKind
{
    Put,
    Get,
    CompareAndSet,
}

/// <summary>
/// One client operation as the history records it. <see cref="ReturnTime"/> stays null when the client never
/// learned the outcome (a timeout or a crashed member): the operation may or may not have taken effect.
/// </summary>
public sealed class ClientOperation
{
    public required int ClientId { get; init; }

    public required OperationKind Kind { get; init; }

    public required string Key { get; init; }

    /// <summary>The value to put, or the new value of a compare-and-set.</summary>
    public string? Value { get; init; }

    /// <summary>The value a compare-and-set expects; null means the key must be absent.</summary>
    public string? Expected { get; init; }

    public required long CallTime { get; init; }

    public long? ReturnTime { get; set; }

    /// <summary>"ok" for a put; the value read (null if absent) for a get; "true" or "false" for a compare-and-set.</summary>
    public string? Output { get; set; }

    public byte[] Encode() => System.Text.Encoding.UTF8.GetBytes(Kind switch
    {
        OperationKind.Put => $"P|{Key}|{Value}",
        OperationKind.CompareAndSet => $"C|{Key}|{Expected ?? "-"}|{Value}",
        _ => throw new InvalidOperationException("A get does not go through the log."),
    });

    public override string ToString() =>
        $"c{ClientId} {Kind}({Key}{(Expected is null ? "" : "," + Expected)}{(Value is null ? "" : "," + Value)}) " +
        $"[{CallTime},{ReturnTime?.ToString() ?? "?"}] -> {Output ?? "null"}";
}
