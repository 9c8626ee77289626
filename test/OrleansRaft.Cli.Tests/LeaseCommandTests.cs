using System.Globalization;
using System.Text.Json;
using OrleansRaft.Cli.Tests.Infrastructure;
using static OrleansRaft.Cli.Tests.Infrastructure.Expect;

namespace OrleansRaft.Cli.Tests;

/// <summary>lease grant, ttl, keepalive, list and revoke; keys put with --lease die with their lease.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class LeaseCommandTests(CliCluster cluster)
{
    [Fact]
    public async Task A_granted_lease_holds_keys_until_revoked()
    {
        var grant = Ok(await cluster.RunAsync("lease", "grant", "60"));
        var words = Assert.Single(grant.Lines).Split(' ');
        Assert.Equal(["lease", "granted", "with", "TTL(60s)"], [words[0], words[2], words[3], words[4]]);
        var id = words[1];
        Assert.True(long.Parse(id, CultureInfo.InvariantCulture) > 0);

        Ok(await cluster.RunAsync("put", "/lease/a", "1", "--lease", id));
        Ok(await cluster.RunAsync("put", "/lease/b", "2", "--lease", id));

        var results = await Task.WhenAll(
            cluster.RunAsync("lease", "ttl", id, "--keys"),
            cluster.RunAsync("lease", "keepalive", id, "--once"),
            cluster.RunAsync("lease", "list"),
            cluster.RunAsync("get", "/lease/a", "--json"));
        var ttl = Assert.Single(Ok(results[0]).Lines);
        Assert.Matches($@"^lease {id} granted with TTL\(60s\), remaining\(\d+s\), attached keys\(\[/lease/a /lease/b\]\)$", ttl);
        Assert.Equal([$"lease {id} keepalived with TTL(60)"], Ok(results[1]).Lines);
        Assert.Contains(id, Ok(results[2]).Lines);
        Assert.Equal(id, JsonDocument.Parse(Ok(results[3]).Stdout).RootElement.GetProperty("kvs")[0].GetProperty("lease").GetInt64().ToString(CultureInfo.InvariantCulture));

        Assert.Equal([$"lease {id} revoked"], Ok(await cluster.RunAsync("lease", "revoke", id)).Lines);
        Assert.Equal(["0"], Ok(await cluster.RunAsync("get", "/lease/", "--prefix", "--count-only")).Lines);
        Error(1, "LeaseNotFound", await cluster.RunAsync("lease", "revoke", id));
    }

    [Fact]
    public async Task Keepalive_renews_the_lease_until_interrupted_and_fails_once_the_lease_is_gone()
    {
        // The lease must outlive the start of the keepalive process, and each renewal must answer within a third of
        // the TTL: on a busy machine a CLI process takes seconds to start and connect, so 3 s was too tight.
        var grant = JsonDocument.Parse(Ok(await cluster.RunAsync("lease", "grant", "15", "--json")).Stdout).RootElement;
        var id = grant.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);
        Assert.Equal(15, grant.GetProperty("ttl").GetInt64());

        // A keepalive every third of the TTL: the first at once, the next two prove the loop.
        using (var keepalive = cluster.Start("lease", "keepalive", id))
        {
            Assert.Equal(Enumerable.Repeat($"lease {id} keepalived with TTL(15)", 3), await keepalive.WaitForLinesAsync(3));
            keepalive.Interrupt();
            Ok(await keepalive.WaitForExitAsync());
        }

        using (var keepalive = cluster.Start("lease", "keepalive", id))
        {
            await keepalive.WaitForLinesAsync(1);
            Ok(await cluster.RunAsync("lease", "revoke", id));
            var end = Exit(1, await keepalive.WaitForExitAsync());
            Assert.Contains($"lease {id} expired or was revoked", end.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Put_with_a_lease_that_does_not_exist_is_refused()
    {
        Error(1, "LeaseNotFound", await cluster.RunAsync("put", "/lease/orphan", "x", "--lease", "987654321"));
    }
}
