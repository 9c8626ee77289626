using OrleansRaft.Linearizability.Tests.Support;
using Xunit.Abstractions;

namespace OrleansRaft.Linearizability.Tests;

/// <summary>
/// Histories generated from a real sequential execution are linearizable; corrupting one output usually makes
/// them not. Seeds are fixed and printed, and results asserted exactly.
/// </summary>
public sealed class RandomizedHistoryTests(ITestOutputHelper output)
{
    private static readonly HistorySettings Medium = new(300, 5, 3, LostRequestRate: 0.03, LostResponseRate: 0.03);

    [Theory]
    [InlineData(1, 200, 3, 1, 0, 0.0, 0.0)]
    [InlineData(2, 500, 5, 3, 0, 0.02, 0.02)]
    [InlineData(3, 500, 10, 2, 0, 0.05, 0.05)]
    [InlineData(4, 500, 4, 1, 3, 0.05, 0.05)]
    [InlineData(5, 300, 8, 1, 2, 0.2, 0.2)]
    [InlineData(6, 1000, 10, 1, 0, 0.0, 0.0)]
    [InlineData(7, 200, 2, 4, 0, 0.3, 0.3)]
    public void GeneratedHistoriesAreLinearizable(
        int seed, int operations, int clients, int keys, int values, double lostRequests, double lostResponses)
    {
        var history = RandomHistory.Generate(seed, new HistorySettings(operations, clients, keys, values, lostRequests, lostResponses));

        var result = KvChecker.Check(history);

        output.WriteLine($"seed {seed}: {history.Count} operations, {history.Count(o => o.IsPending)} pending, {result.Outcome} in {result.Steps} steps");
        Assert.Equal(CheckOutcome.Ok, result.Outcome);
    }

    [Theory]
    [InlineData(1, 72, CheckOutcome.Violation, "k2")]
    [InlineData(2, 223, CheckOutcome.Violation, "k2")]
    [InlineData(3, 86, CheckOutcome.Violation, "k1")]
    [InlineData(4, 247, CheckOutcome.Violation, "k0")]
    [InlineData(5, 98, CheckOutcome.Ok, null)]
    [InlineData(6, 255, CheckOutcome.Violation, "k0")]
    [InlineData(7, 105, CheckOutcome.Violation, "k2")]
    [InlineData(8, 271, CheckOutcome.Violation, "k0")]
    [InlineData(9, 135, CheckOutcome.Violation, "k2")]
    [InlineData(10, 281, CheckOutcome.Violation, "k2")]
    [InlineData(11, 132, CheckOutcome.Violation, "k1")]
    [InlineData(12, 299, CheckOutcome.Violation, "k2")]
    [InlineData(13, 130, CheckOutcome.Violation, "k0")]
    [InlineData(14, 10, CheckOutcome.Violation, "k1")]
    [InlineData(15, 168, CheckOutcome.Violation, "k2")]
    [InlineData(16, 24, CheckOutcome.Violation, "k1")]
    [InlineData(17, 174, CheckOutcome.Violation, "k1")]
    [InlineData(18, 33, CheckOutcome.Violation, "k0")]
    [InlineData(19, 183, CheckOutcome.Violation, "k2")]
    [InlineData(20, 54, CheckOutcome.Violation, "k0")]
    public void ACorruptedOutputUsuallyBreaksLinearizability(int seed, int corrupted, CheckOutcome expected, string? key)
    {
        var history = RandomHistory.Generate(seed, Medium);
        Assert.Equal(CheckOutcome.Ok, KvChecker.Check(history).Outcome);
        int at = RandomHistory.Corrupt(history, seed);

        var result = KvChecker.Check(history);

        output.WriteLine($"seed {seed}: corrupted #{at} {history[at]}: {result.Outcome} in {result.Steps} steps");
        output.WriteLine(result.Explanation);
        Assert.Equal(corrupted, at);
        Assert.Equal(expected, result.Outcome);
        Assert.Equal(key, result.FirstViolation?.Partition);
        Assert.Equal(expected == CheckOutcome.Violation ? history[at].Input.Key : null, key);
    }

    [Fact]
    public void WithFewDistinctValuesSomeCorruptionsStayExplainable()
    {
        var settings = new HistorySettings(40, 4, 2, Values: 3, LostRequestRate: 0.05, LostResponseRate: 0.05);
        var counts = new Dictionary<CheckOutcome, int>();
        for (int seed = 1; seed <= 200; seed++)
        {
            var history = RandomHistory.Generate(seed, settings);
            RandomHistory.Corrupt(history, seed);
            var outcome = KvChecker.Check(history).Outcome;
            counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
        }

        output.WriteLine($"seeds 1..200: {string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}"))}");
        Assert.Equal([(CheckOutcome.Ok, 57), (CheckOutcome.Violation, 143)], counts.OrderBy(c => c.Key).Select(c => (c.Key, c.Value)));
    }
}
