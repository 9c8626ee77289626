using System.Globalization;

namespace OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

/// <summary>Which silo a <see cref="FaultStep"/> kills.</summary>
public enum SiloVictim
{
    /// <summary>The silo of the group's leader.</summary>
    Leader,

    /// <summary>The silo of a member that does not lead (chosen by the step's pick).</summary>
    Follower,

    /// <summary>Any live silo (chosen by the step's pick), whether it hosts members or not.</summary>
    Any,

    /// <summary>
    /// Two silos at once: the leader's and another that hosts a follower (chosen by the step's pick). With the members
    /// on distinct silos this crashes a majority of the group, which comes back from storage alone.
    /// </summary>
    LeaderAndFollower,
}

/// <summary>
/// After <see cref="Pause"/> of load, kill the silo (or silos) of <see cref="Victim"/>; after <see cref="Downtime"/>,
/// start as many new silos in their place. <see cref="Pick"/> chooses among several candidates.
/// </summary>
public sealed record FaultStep(TimeSpan Pause, SiloVictim Victim, int Pick, TimeSpan Downtime)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"after {Pause.TotalMilliseconds:F0} ms kill the {Victim} silo (pick {Pick}), restart after {Downtime.TotalMilliseconds:F0} ms");
}

/// <summary>A seeded plan of silo crashes and restarts: the same seed gives the same plan.</summary>
public sealed record FaultSchedule(int Seed, IReadOnlyList<FaultStep> Steps)
{
    /// <summary>Names the seed to replay; unset, each run draws a new one.</summary>
    public const string SeedVariable = "ORLEANSRAFT_KV_LINEARIZABILITY_SEED";

    /// <summary>The seed of <see cref="SeedVariable"/>, or a fresh one.</summary>
    public static int ChooseSeed()
    {
        var text = Environment.GetEnvironmentVariable(SeedVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return Random.Shared.Next();
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : throw new InvalidOperationException($"{SeedVariable} is '{text}'; it must be an integer.");
    }

    /// <summary>
    /// <paramref name="rounds"/> crashes, one after another: pauses of 0.8 to 2 s, downtimes of 0.3 to 1.5 s. The first
    /// round kills the leader's silo and the second a majority, so that every plan forces an election under load and
    /// a recovery from storage alone.
    /// </summary>
    public static FaultSchedule Generate(int seed, int rounds)
    {
        var random = new Random(seed);
        var steps = new List<FaultStep>();
        for (var i = 0; i < rounds; i++)
        {
            var victim = i switch
            {
                0 => SiloVictim.Leader,
                1 => SiloVictim.LeaderAndFollower,
                _ => (SiloVictim)random.Next(4),
            };
            steps.Add(new FaultStep(
                TimeSpan.FromMilliseconds(random.Next(800, 2000)),
                victim,
                random.Next(1000),
                TimeSpan.FromMilliseconds(random.Next(300, 1500))));
        }

        return new FaultSchedule(seed, steps);
    }

    public override string ToString() =>
        $"seed {Seed} ({SeedVariable}={Seed} replays it): " + string.Join("; ", Steps.Select((s, i) => $"{i + 1}. {s}"));
}
