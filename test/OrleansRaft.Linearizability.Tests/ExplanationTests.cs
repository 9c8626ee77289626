using static OrleansRaft.Linearizability.Tests.Support.Kv;

namespace OrleansRaft.Linearizability.Tests;

public sealed class ExplanationTests
{
    [Fact]
    public void AViolationNamesTheLongestPrefixAndTheOperationThatCannotBePlaced()
    {
        var result = Check(
            Put(1, 0, 1, "a", "1"),
            Put(2, 2, 3, "a", "2"),
            Get(3, 4, 5, "a", "1"),
            Put(1, 2, 3, "b", "ok"));

        Assert.Equal(
            string.Join(
                Environment.NewLine,
                "partition \"a\" (3 operations, 3 steps): not linearizable.",
                "  Longest linearizable prefix found: 2 operations:",
                "    #0 client 1 [0..1] Put(a, \"1\") -> ok",
                "    #1 client 2 [2..3] Put(a, \"2\") -> ok",
                "  State after it: {a: \"2\"}",
                "  Cannot place: #2 client 3 [4..5] Get(a) -> \"1\"",
                "  It must take effect before it returns, and no order of the operations that may go before it lets the model accept it."),
            result.Explanation);
        Assert.Equal(result.FirstViolation!.Explanation, result.Explanation);
        Assert.Equal("partition \"b\" (1 operations, 1 steps): linearizable", result.Partitions[1].Explanation);
    }

    [Fact]
    public void AnExplanationListsTheLastOperationsOfALongPrefixAndWhatRanAlongside()
    {
        var history = Enumerable.Range(0, 5)
            .Select(i => Put(1, 10 * i, (10 * i) + 1, "a", "v" + i))
            .Append(Get(2, 35, 60, "a", "v1"))
            .Append(Put(3, 55, 56, "a", "late"))
            .Append(PendingPut(4, 57, "a", "lost"))
            .Append(Get(5, 50, 65, "a", "v0"))
            .ToArray();

        var result = KvChecker.Check(history, new CheckOptions { PrefixOperationsShown = 2 });

        Assert.Equal(
            string.Join(
                Environment.NewLine,
                "partition \"a\" (9 operations, 13 steps): not linearizable.",
                "  Longest linearizable prefix found: 6 operations, the last 2:",
                "    #4 client 1 [40..41] Put(a, \"v4\") -> ok",
                "    #6 client 3 [55..56] Put(a, \"late\") -> ok",
                "  State after it: {a: \"late\"}",
                "  Cannot place: #5 client 2 [35..60] Get(a) -> \"v1\"",
                "  It must take effect before it returns, and no order of the operations that may go before it lets the model accept it.",
                "  Completed operations concurrent with it and not in the prefix (1):",
                "    #8 client 5 [50..65] Get(a) -> \"v0\"",
                "  Pending operations called before it returned, not in the prefix: 1."),
            result.Explanation);
    }
}
