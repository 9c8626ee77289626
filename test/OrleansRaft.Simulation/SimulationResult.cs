namespace OrleansRaft.Simulation;

/// <summary>The outcome of one seed: which property broke first, if any, and what the run did.</summary>
public sealed record SimulationResult(
    long Seed,
    string? Property,
    string? Detail,
    long Steps,
    long Delivered,
    long Committed,
    int Operations,
    ulong TraceHash)
{
    public bool Passed => Property is null;
}

/// <summary>A safety property broke: the run stops at once.</summary>
internal sealed class PropertyViolation(string property, string detail) : Exception($"{property}: {detail}")
{
    public string Property { get; } = property;

    public string Detail { get; } = detail;
}
