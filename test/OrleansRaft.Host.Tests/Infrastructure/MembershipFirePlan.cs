using System.Globalization;

namespace OrleansRaft.Host.Tests.Infrastructure;

/// <summary>What one step of a <see cref="MembershipFirePlan"/> does.</summary>
public enum FireAction
{
    /// <summary>Add a new member: started on a silo free of the group's members, caught up as a learner, then promoted.</summary>
    Add,

    /// <summary>Remove a voter that the group had before this round (not one on a killed silo).</summary>
    Remove,

    /// <summary>kill -9 the silo process of a voter.</summary>
    Kill,

    /// <summary>Replace each voter of the silo killed this round with a new member.</summary>
    Replace,
}

/// <summary>Which voter a <see cref="FireAction.Remove"/> or <see cref="FireAction.Kill"/> acts on.</summary>
public enum FireTarget
{
    Leader,

    /// <summary>A voter that does not lead, chosen by the step's pick.</summary>
    Follower,
}

/// <summary>After <see cref="Pause"/> of load, do <see cref="Action"/> to <see cref="Target"/> (<see cref="Pick"/> chooses among followers).</summary>
public sealed record FireStep(FireAction Action, FireTarget Target, int Pick, TimeSpan Pause)
{
    public override string ToString() => Action switch
    {
        FireAction.Remove or FireAction.Kill => string.Create(CultureInfo.InvariantCulture, $"after {Pause.TotalMilliseconds:F0} ms {Action} the {Target} (pick {Pick})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"after {Pause.TotalMilliseconds:F0} ms {Action}"),
    };
}

/// <summary>
/// A seeded plan of membership changes and silo kills: each round adds a member, removes an old voter, kills the silo of
/// a voter (the removal and the kill in either order) and replaces the killed voter. The same seed gives the same plan.
/// </summary>
public sealed record MembershipFirePlan(int Seed, IReadOnlyList<FireStep> Steps)
{
    /// <summary>Names the seed to replay; unset, each run draws a new one.</summary>
    public const string SeedVariable = "ORLEANSRAFT_MEMBERSHIP_FIRE_SEED";

    /// <summary>Rounds to run (default 1, at most 6): the longer variant. Each round kills one more silo.</summary>
    public const string RoundsVariable = "ORLEANSRAFT_MEMBERSHIP_FIRE_ROUNDS";

    public int Rounds => Steps.Count(s => s.Action == FireAction.Kill);

    public static int ChooseSeed() => Integer(SeedVariable, Random.Shared.Next(), int.MinValue, int.MaxValue);

    public static int ChooseRounds() => Integer(RoundsVariable, 1, 1, 6);

    public static MembershipFirePlan Generate(int seed, int rounds)
    {
        var random = new Random(seed);
        var steps = new List<FireStep>();
        for (var i = 0; i < rounds; i++)
        {
            FireStep Step(FireAction action) => new(action, (FireTarget)random.Next(2), random.Next(1000), TimeSpan.FromMilliseconds(random.Next(500, 2000)));
            steps.Add(Step(FireAction.Add));
            var removeFirst = random.Next(2) == 0;
            steps.Add(Step(removeFirst ? FireAction.Remove : FireAction.Kill));
            steps.Add(Step(removeFirst ? FireAction.Kill : FireAction.Remove));
            steps.Add(Step(FireAction.Replace));
        }

        return new MembershipFirePlan(seed, steps);
    }

    public override string ToString() =>
        $"seed {Seed} ({SeedVariable}={Seed} {RoundsVariable}={Rounds} replays it): " + string.Join("; ", Steps.Select((s, i) => $"{i + 1}. {s}"));

    private static int Integer(string variable, int otherwise, int min, int max)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return otherwise;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new InvalidOperationException($"{variable} is '{text}'; it must be an integer from {min} to {max}.");
    }
}
