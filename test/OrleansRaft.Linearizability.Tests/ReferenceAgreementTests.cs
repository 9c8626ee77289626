using OrleansRaft.Linearizability.Tests.Support;
using Xunit.Abstractions;

namespace OrleansRaft.Linearizability.Tests;

/// <summary>
/// On small random histories, the checker and each of its switchable optimizations agree with
/// <see cref="ReferenceChecker"/>, which tries every order. Corrupted histories supply the violations.
/// </summary>
public sealed class ReferenceAgreementTests(ITestOutputHelper output)
{
    private static readonly (string Name, IModel<KvState, KvInput, KvOutput> Model)[] Variants =
    [
        ("kv", KvModel.Instance),
        ("unpartitioned", new JustInTimeVariantKvModel(partitionByKey: false, declareReadOnly: true)),
        ("no read-only shortcut", new JustInTimeVariantKvModel(partitionByKey: true, declareReadOnly: false)),
        ("pending tried everywhere", new VariantKvModel(partitionByKey: true, declareReadOnly: true)),
        ("no optimization", new VariantKvModel(partitionByKey: false, declareReadOnly: false)),
    ];

    [Theory]
    [InlineData(0, 1500, 2020, 701)]
    [InlineData(1, 1500, 2317, 538)]
    public void EveryVariantAgreesWithTheReference(int family, int seeds, int linearizable, int notLinearizable)
    {
        int[] counts = [0, 0];
        var disagreements = new List<string>();
        for (int seed = 0; seed < seeds; seed++)
        {
            var rng = new Random(seed);
            var settings = family == 0
                ? new HistorySettings(rng.Next(2, 10), rng.Next(1, 4), rng.Next(1, 3), rng.Next(0, 4), rng.NextDouble() * 0.4, rng.NextDouble() * 0.4, rng.Next(1, 3))
                : new HistorySettings(rng.Next(6, 11), rng.Next(2, 6), rng.Next(1, 3), rng.Next(0, 3), rng.NextDouble() * 0.6, rng.NextDouble() * 0.6, rng.Next(1, 3));
            var history = RandomHistory.Generate(seed, settings);
            for (int round = 0; round < 2; round++)
            {
                if (round == 1 && RandomHistory.Corrupt(history, seed) < 0)
                {
                    break;
                }

                bool expected = ReferenceChecker.IsLinearizable(history);
                counts[expected ? 0 : 1]++;
                foreach (var (name, model) in Variants)
                {
                    var outcome = LinearizabilityChecker.Check(model, history).Outcome;
                    if (outcome != (expected ? CheckOutcome.Ok : CheckOutcome.Violation))
                    {
                        disagreements.Add($"seed {seed} round {round} {name}: {outcome}, reference says {(expected ? "linearizable" : "not")}");
                    }
                }
            }
        }

        output.WriteLine($"family {family}, seeds 0..{seeds - 1}: {counts[0]} linearizable, {counts[1]} not");
        Assert.Empty(disagreements);
        Assert.Equal((linearizable, notLinearizable), (counts[0], counts[1]));
    }

    [Theory]
    [InlineData(40, 3, 3, 0.1, 60, 40)]
    [InlineData(60, 4, 2, 0.05, 64, 36)]
    public void PartitioningByKeyDoesNotChangeTheVerdict(int operations, int clients, int keys, double lost, int ok, int violations)
    {
        var whole = new JustInTimeVariantKvModel(partitionByKey: false, declareReadOnly: true);
        var outcomes = new Dictionary<CheckOutcome, int>();
        for (int seed = 1; seed <= 100; seed++)
        {
            var history = RandomHistory.Generate(seed, new HistorySettings(operations, clients, keys, 3, lost, lost));
            if (seed % 2 == 0)
            {
                RandomHistory.Corrupt(history, seed);
            }

            var partitioned = KvChecker.Check(history).Outcome;
            Assert.Equal(partitioned, LinearizabilityChecker.Check(whole, history).Outcome);
            outcomes[partitioned] = outcomes.GetValueOrDefault(partitioned) + 1;
        }

        output.WriteLine($"{operations} operations: {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}");
        Assert.Equal(
            [(CheckOutcome.Ok, ok), (CheckOutcome.Violation, violations)],
            outcomes.OrderBy(o => o.Key).Select(o => (o.Key, o.Value)));
    }
}
