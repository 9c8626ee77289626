using System.Text.Json;
using OrleansRaft.Cli.Tests.Infrastructure;
using static OrleansRaft.Cli.Tests.Infrastructure.Expect;

namespace OrleansRaft.Cli.Tests;

/// <summary>put, get, del and ls as a user runs them, against a live 3-silo cluster.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class KvCommandTests(CliCluster cluster)
{
    [Fact]
    public async Task Put_prints_OK_and_get_prints_the_key_then_the_value()
    {
        Assert.Equal(["OK"], Ok(await cluster.RunAsync("put", "/put/greeting", "héllo wörld")).Lines);
        var replaced = Ok(await cluster.RunAsync("put", "/put/greeting", "bye", "--prev-kv"));
        Assert.Equal(["OK", "/put/greeting", "héllo wörld"], replaced.Lines);

        var results = await Task.WhenAll(
            cluster.RunAsync("get", "/put/greeting"),
            cluster.RunAsync("get", "/put/greeting", "--consistency", "serializable", "--print-value-only"),
            cluster.RunAsync("get", "/put/missing"),
            cluster.RunAsync("get", "/put/greeting", "--json"));
        Assert.Equal(["/put/greeting", "bye"], Ok(results[0]).Lines);
        Assert.Equal(["bye"], Ok(results[1]).Lines);
        Assert.Equal([], Ok(results[2]).Lines);

        var json = JsonDocument.Parse(Ok(results[3]).Stdout).RootElement;
        Assert.Equal(1, json.GetProperty("count").GetInt64());
        var kv = json.GetProperty("kvs")[0];
        Assert.Equal("/put/greeting", kv.GetProperty("key").GetString());
        Assert.Equal("bye", kv.GetProperty("value").GetString());
        Assert.Equal(2, kv.GetProperty("version").GetInt64());
        Assert.Equal(kv.GetProperty("createRevision").GetInt64() + 1, kv.GetProperty("modRevision").GetInt64());
    }

    [Fact]
    public async Task Put_without_a_value_reads_standard_input_byte_for_byte()
    {
        Assert.Equal(["OK"], Ok(await cluster.RunWithInputAsync("line one\nline two\n"u8.ToArray(), "put", "/stdin/text")).Lines);
        var get = JsonDocument.Parse(Ok(await cluster.RunAsync("get", "/stdin/text", "--json")).Stdout).RootElement;
        Assert.Equal("line one\nline two\n", get.GetProperty("kvs")[0].GetProperty("value").GetString());
    }

    [Fact]
    public async Task Get_reads_a_prefix_with_a_limit_keys_alone_a_count_or_an_older_revision()
    {
        await cluster.PutAsync(("/range/a", "1"), ("/range/b", "2"), ("/range/c", "3"), ("/rangeX", "out"));

        var put = JsonDocument.Parse(Ok(await cluster.RunAsync("put", "/range/a", "1b", "--json")).Stdout).RootElement;
        var revision = put.GetProperty("revision").GetInt64();

        var results = await Task.WhenAll(
            cluster.RunAsync("get", "/range/", "--prefix"),
            cluster.RunAsync("get", "/range/", "--prefix", "--limit", "2", "--keys-only"),
            cluster.RunAsync("get", "/range/", "--prefix", "--count-only"),
            cluster.RunAsync("get", "/range/a", "--rev", (revision - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            cluster.RunAsync("get", "/range/", "--prefix", "--limit", "1", "--json"));
        Assert.Equal(["/range/a", "1b", "/range/b", "2", "/range/c", "3"], Ok(results[0]).Lines);
        Assert.Equal(["/range/a", "/range/b"], Ok(results[1]).Lines);
        Assert.Equal(["3"], Ok(results[2]).Lines);
        Assert.Equal(["/range/a", "1"], Ok(results[3]).Lines);
        var page = JsonDocument.Parse(Ok(results[4]).Stdout).RootElement;
        Assert.Equal(3, page.GetProperty("count").GetInt64());
        Assert.True(page.GetProperty("more").GetBoolean());
        Assert.Equal(1, page.GetProperty("kvs").GetArrayLength());
    }

    [Fact]
    public async Task Del_deletes_a_key_or_a_whole_prefix_and_prints_how_many()
    {
        await cluster.PutAsync(("/del/one", "v-/del/one"), ("/del/dir/a", "a"), ("/del/dir/b", "b"), ("/del/dir/sub/c", "c"));

        Assert.Equal(["1", "/del/one", "v-/del/one"], Ok(await cluster.RunAsync("del", "/del/one", "--prev-kv")).Lines);
        Assert.Equal(["0"], Ok(await cluster.RunAsync("del", "/del/one")).Lines);
        Assert.Equal(["3"], Ok(await cluster.RunAsync("del", "/del/dir/", "--prefix")).Lines);
        Assert.Equal(["0"], Ok(await cluster.RunAsync("get", "/del/", "--prefix", "--count-only")).Lines);
    }

    [Fact]
    public async Task Ls_lists_the_immediate_keys_and_sub_directories_of_a_directory()
    {
        await cluster.PutAsync(("/ls/app/name", "x"), ("/ls/app/db/url", "x"), ("/ls/app/db/user", "x"), ("/ls/app/cache/size", "x"), ("/ls/other", "x"));

        var results = await Task.WhenAll(
            cluster.RunAsync("ls", "/ls/app"),
            cluster.RunAsync("ls", "/ls/"),
            cluster.RunAsync("ls", "/ls/app/db/", "--json"),
            cluster.RunAsync("ls", "/ls/none"));
        Assert.Equal(["/ls/app/cache/", "/ls/app/db/", "/ls/app/name"], Ok(results[0]).Lines);
        Assert.Equal(["/ls/app/", "/ls/other"], Ok(results[1]).Lines);
        var listing = JsonDocument.Parse(Ok(results[2]).Stdout).RootElement;
        Assert.Equal("/ls/app/db/", listing.GetProperty("directory").GetString());
        Assert.Equal(
            ["/ls/app/db/url", "/ls/app/db/user"],
            listing.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("path").GetString()!));
        Assert.All(listing.GetProperty("entries").EnumerateArray(), e => Assert.False(e.GetProperty("dir").GetBoolean()));
        Assert.Equal([], Ok(results[3]).Lines);
    }

    [Fact]
    public async Task Watch_replays_from_a_revision_then_prints_new_writes_until_interrupted()
    {
        var first = JsonDocument.Parse(Ok(await cluster.RunAsync("put", "/watch/a", "1", "--json")).Stdout).RootElement.GetProperty("revision").GetInt64();
        Ok(await cluster.RunAsync("del", "/watch/a"));

        using var watch = cluster.Start("watch", "/watch/", "--prefix", "--rev", first.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["PUT", "/watch/a", "1", "DELETE", "/watch/a", ""], await watch.WaitForLinesAsync(6));

        Ok(await cluster.RunAsync("put", "/watch/b", "2"));
        Assert.Equal(["PUT", "/watch/b", "2"], (await watch.WaitForLinesAsync(9))[6..]);

        watch.Interrupt();
        var end = await watch.WaitForExitAsync();
        Assert.True(end.ExitCode == 0, end.ToString());
        Assert.Equal(9, end.Lines.Length);
    }
}
