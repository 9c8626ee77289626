using System.Text.Json;
using OrleansRaft.Cli.Tests.Infrastructure;
using static OrleansRaft.Cli.Tests.Infrastructure.Expect;

namespace OrleansRaft.Cli.Tests;

/// <summary>txn cas and txn cad: the write applies when the expectation holds; otherwise exit 4 and the key as it is.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class TxnCommandTests(CliCluster cluster)
{
    [Fact]
    public async Task Cas_expecting_absence_creates_the_key_once()
    {
        Assert.Equal(["OK"], Ok(await cluster.RunAsync("txn", "cas", "/txn/lock", "owner-1", "--expect-absent")).Lines);
        Assert.Equal(["FAILED", "/txn/lock", "owner-1"], Exit(4, await cluster.RunAsync("txn", "cas", "/txn/lock", "owner-2", "--expect-absent"), stderrEmpty: true).Lines);
        Assert.Equal(["/txn/lock", "owner-1"], Ok(await cluster.RunAsync("get", "/txn/lock")).Lines);
    }

    [Fact]
    public async Task Cas_on_the_value_version_or_mod_revision_swaps_only_what_is_expected()
    {
        Ok(await cluster.RunAsync("put", "/txn/counter", "1"));
        Assert.Equal(["OK"], Ok(await cluster.RunAsync("txn", "cas", "/txn/counter", "2", "--expect-value", "1")).Lines);
        Assert.Equal(["FAILED", "/txn/counter", "2"], Exit(4, await cluster.RunAsync("txn", "cas", "/txn/counter", "3", "--expect-value", "1")).Lines);

        Assert.Equal(["OK"], Ok(await cluster.RunAsync("txn", "cas", "/txn/counter", "3", "--expect-version", "2")).Lines);
        var current = JsonDocument.Parse(Ok(await cluster.RunAsync("get", "/txn/counter", "--json")).Stdout).RootElement.GetProperty("kvs")[0];
        Assert.Equal(3, current.GetProperty("version").GetInt64());
        var mod = current.GetProperty("modRevision").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var failed = JsonDocument.Parse(Exit(4, await cluster.RunAsync("txn", "cas", "/txn/counter", "x", "--expect-mod-revision", "1", "--json")).Stdout).RootElement;
        Assert.False(failed.GetProperty("succeeded").GetBoolean());
        Assert.Equal("3", failed.GetProperty("current").GetProperty("value").GetString());
        Assert.Equal(["OK"], Ok(await cluster.RunAsync("txn", "cas", "/txn/counter", "4", "--expect-mod-revision", mod)).Lines);
        Assert.Equal(["4"], Ok(await cluster.RunAsync("get", "/txn/counter", "--print-value-only")).Lines);
    }

    [Fact]
    public async Task Cad_deletes_only_when_the_key_is_as_expected()
    {
        Ok(await cluster.RunAsync("put", "/txn/session", "mine"));
        Assert.Equal(["FAILED", "/txn/session", "mine"], Exit(4, await cluster.RunAsync("txn", "cad", "/txn/session", "--expect-value", "theirs")).Lines);
        Assert.Equal(["OK"], Ok(await cluster.RunAsync("txn", "cad", "/txn/session", "--expect-value", "mine")).Lines);
        Assert.Equal(["FAILED"], Exit(4, await cluster.RunAsync("txn", "cad", "/txn/session", "--expect-version", "1")).Lines);
    }
}
