using System.Globalization;

namespace OrleansRaft.Host.Tests.Infrastructure;

/// <summary>What happens to PostgreSQL in a <see cref="PostgresFault"/>.</summary>
internal enum PostgresFaultKind
{
    /// <summary><c>pg_ctl stop -m immediate</c>, then local.sh start after the fault's duration.</summary>
    Stop,

    /// <summary>SIGSTOP to the server and its backends, SIGCONT after the fault's duration.</summary>
    Pause,

    /// <summary><c>pg_terminate_backend</c> for every client backend: an instant fault.</summary>
    DropConnections,
}

/// <summary>After <see cref="Load"/> of load, <see cref="Kind"/> for <see cref="Duration"/>.</summary>
internal sealed record PostgresFault(TimeSpan Load, PostgresFaultKind Kind, TimeSpan Duration)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"after {Load.TotalSeconds:F1} s {Kind} for {Duration.TotalSeconds:F1} s");
}

/// <summary>A seeded plan of PostgreSQL faults: the same seed (and length) gives the same plan.</summary>
internal sealed record PostgresFaultSchedule(int Seed, bool Long, IReadOnlyList<PostgresFault> Faults)
{
    /// <summary>Names the silos' <c>Storage:Provider</c> (<c>Batching</c> by default, or <c>AdoNet</c>).</summary>
    public const string ProviderVariable = "ORLEANSRAFT_PG_FAULTS_PROVIDER";

    /// <summary>Names the seed to replay; unset, each run draws a new one.</summary>
    public const string SeedVariable = "ORLEANSRAFT_PG_FAULTS_SEED";

    /// <summary>Set to 1 for the long variant: three faults of each kind, outages of 5 to 20 s.</summary>
    public const string LongVariable = "ORLEANSRAFT_PG_FAULTS_LONG";

    public static PostgresFaultSchedule FromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(SeedVariable);
        var seed = string.IsNullOrWhiteSpace(text) ? Random.Shared.Next()
            : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var given) ? given
            : throw new InvalidOperationException($"{SeedVariable} is '{text}'; it must be an integer.");
        var provider = Environment.GetEnvironmentVariable(ProviderVariable) is { Length: > 0 } named ? named : "Batching";
        return Generate(seed, Environment.GetEnvironmentVariable(LongVariable) == "1") with { Provider = provider };
    }

    /// <summary>The silos' storage provider.</summary>
    public string Provider { get; init; } = "Batching";

    /// <summary>
    /// Every kind once (three times each when <paramref name="long"/>), in a seeded order. A stop lasts 5 to 8 s
    /// (5 to 20 s when long), a pause 3 to 6 s (3 to 15 s), with 1 to 3 s of load before each fault.
    /// </summary>
    public static PostgresFaultSchedule Generate(int seed, bool @long)
    {
        var random = new Random(seed);
        var kinds = Enumerable.Repeat(Enum.GetValues<PostgresFaultKind>(), @long ? 3 : 1).SelectMany(k => k).ToArray();
        random.Shuffle(kinds);
        var faults = kinds.Select(kind => new PostgresFault(
            TimeSpan.FromSeconds(1 + (random.NextDouble() * 2)),
            kind,
            kind switch
            {
                PostgresFaultKind.Stop => TimeSpan.FromSeconds(5 + (random.NextDouble() * (@long ? 15 : 3))),
                PostgresFaultKind.Pause => TimeSpan.FromSeconds(3 + (random.NextDouble() * (@long ? 12 : 3))),
                _ => TimeSpan.Zero,
            })).ToList();
        return new PostgresFaultSchedule(seed, @long, faults);
    }

    public override string ToString() =>
        $"seed {Seed} ({SeedVariable}={Seed}{(Long ? $" {LongVariable}=1" : "")} {ProviderVariable}={Provider} replays it): {string.Join("; ", Faults)}";
}
