using OrleansRaft.Cli.Tests.Infrastructure;
using static OrleansRaft.Cli.Tests.Infrastructure.Expect;

namespace OrleansRaft.Cli.Tests;

/// <summary>Bad input ends with one clear message on standard error and a distinct exit code.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class BadInputTests(CliCluster cluster)
{
    [Theory]
    [InlineData("Unrecognized command or argument 'frob'", "frob")]
    [InlineData("Required argument missing for command: 'get'", "get")]
    [InlineData("Bad --limit 'ten': expected an integer of at least 0", "get", "/k", "--limit", "ten")]
    [InlineData("Bad --rev '-1': expected an integer of at least 0", "watch", "/k", "--rev", "-1")]
    [InlineData("Bad ID 'abc': expected an integer of at least 1", "lease", "revoke", "abc")]
    [InlineData("Bad TTL '0': expected an integer of at least 1", "lease", "grant", "0")]
    [InlineData("Argument 'strict' not recognized", "get", "/k", "--consistency", "strict")]
    [InlineData("Bad --timeout 'soon'", "get", "/k", "--timeout", "soon")]
    [InlineData("txn cas needs exactly one of --expect-value, --expect-version, --expect-mod-revision and --expect-absent", "txn", "cas", "/k", "v")]
    [InlineData("Choose one of --keys-only, --count-only and --print-value-only", "get", "/k", "--keys-only", "--count-only")]
    [InlineData("'orleansraft lease' needs a command: grant, revoke, keepalive, ttl, list", "lease")]
    [InlineData("'orleansraft group' needs a command: create, ls, describe, rm", "group")]
    public async Task A_malformed_command_line_exits_2_and_says_what_is_wrong(string message, params string[] args)
    {
        var result = Error(2, message, await CliProcess.RunAsync(args));
        Assert.Contains("--help' for usage.", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_describes_each_command_and_exits_0()
    {
        var root = CliProcess.RunAsync(["--help"]);
        var txn = CliProcess.RunAsync(["txn", "cas", "--help"]);
        var rootHelp = Ok(await root).Stdout;
        var cas = Ok(await txn).Stdout;
        Assert.Contains("Exit codes: 0 ok, 1 the request failed, 2 bad usage, 3 cluster unreachable", rootHelp, StringComparison.Ordinal);
        Assert.Contains("orleansraft txn cas <KEY> <VALUE> [options]", cas, StringComparison.Ordinal);
        Assert.Contains("--expect-absent", cas, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_value_is_refused_by_the_store_and_nothing_is_written()
    {
        var value = new byte[(1 << 20) + 1];
        Array.Fill(value, (byte)'x');
        Error(1, "the store refused the request: ValueTooLarge", await cluster.RunWithInputAsync(value, "put", "/bad/big"));
        var get = Ok(await cluster.RunAsync("get", "/bad/big"));
        Assert.Equal([], get.Lines);
    }

    [Fact]
    public async Task A_group_that_does_not_exist_is_named_with_the_groups_that_do()
    {
        Error(1, $"The key-value group 'nope' does not exist. Groups: {CliCluster.Group}. Choose one with --group.", await cluster.RunAsync("get", "/k", "--group", "nope"));
    }

    [Fact]
    public async Task A_key_the_store_refuses_is_reported_with_the_store_s_reason()
    {
        Error(1, "the store refused the request: EmptyKey", await cluster.RunAsync("put", "", "v"));
    }
}
