using System.Text.Json;
using OrleansRaft.Cli.Tests.Infrastructure;
using OrleansRaft.TestSupport;
using static OrleansRaft.Cli.Tests.Infrastructure.Expect;

namespace OrleansRaft.Cli.Tests;

/// <summary>
/// group create|ls|describe|rm against the live 3-silo cluster of the membership tests: groups created here would show
/// in the shared cluster's status.
/// </summary>
[Collection(MembershipClusterCollection.Name)]
public sealed class GroupCommandTests(CliCluster cluster)
{
    private const string TokenVariable = "ORLEANSRAFT_ADMIN_TOKEN";

    [Fact]
    public async Task Create_use_describe_and_remove_a_group_as_a_user_runs_them()
    {
        const string group = "g-life";
        Assert.Equal([$"group {group} created with members 1,2,3"], Ok(await AdminAsync("group", "create", group)).Lines);
        Assert.Equal([$"group {group} created with members 1,2,3"], Ok(await AdminAsync("group", "create", group, "--members", "3")).Lines);
        Error(1, $"The Raft group '{group}' exists already with another specification", await AdminAsync("group", "create", group, "--members", "2"));

        // The new group serves the key-value commands at once.
        Assert.Equal(["OK"], Ok(await RunAsync("put", "/life", "yes", "--group", group)).Lines);
        Assert.Equal(["/life", "yes"], Ok(await RunAsync("get", "/life", "--group", group)).Lines);

        var described = Ok(await RunAsync("group", "describe", group)).Lines;
        var title = described[0].Split(" · ");
        Assert.Equal([$"group {group}", "orleansraft.kv"], title[..2]);
        Assert.StartsWith("term ", title[2], StringComparison.Ordinal);
        Assert.Equal(["GROUP", "MEMBER", "SILO", "ROLE", "TERM", "COMMIT", "APPLIED", "LAG"], Cells(described[1]));
        var rows = described[2..].Select(Cells).ToArray();
        Assert.Equal(["1", "2", "3"], rows.Select(r => r[1]));
        Assert.Equal($"leader {Assert.Single(rows, r => r[3] == "leader")[1]}", title[3]);

        var json = JsonDocument.Parse(Ok(await RunAsync("group", "status", group, "--json")).Stdout).RootElement;
        Assert.Equal(group, json.GetProperty("group").GetString());
        var leader = json.GetProperty("leader").GetUInt64();
        var members = json.GetProperty("members").EnumerateArray().ToArray();
        Assert.Equal([1UL, 2UL, 3UL], members.Select(m => m.GetProperty("member").GetUInt64()));
        Assert.Equal(leader, Assert.Single(members, m => m.GetProperty("role").GetString() == "leader").GetProperty("member").GetUInt64());
        Assert.All(members, m => Assert.True(m.GetProperty("commit").GetUInt64() > 0));

        Assert.Equal([$"group {group} deleted"], Ok(await AdminAsync("group", "rm", group)).Lines);
        Error(1, $"The key-value group '{group}' does not exist", await RunAsync("put", "/life", "again", "--group", group));
        Error(1, $"The Raft group '{group}' does not exist.", await RunAsync("group", "describe", group));
        Error(1, $"The Raft group '{group}' does not exist.", await AdminAsync("group", "rm", group));
    }

    [Fact]
    public async Task Ls_lists_ids_a_page_at_a_time_and_says_on_standard_error_how_to_get_the_next()
    {
        Ok(await AdminAsync("group", "create", "g-page-1", "--members", "1"));
        Ok(await AdminAsync("group", "create", "g-page-2", "--member-ids", "4,7"));
        var created = JsonDocument.Parse(Ok(await AdminAsync("group", "create", "g-page-3", "--members", "1", "--json")).Stdout).RootElement;
        Assert.Equal("g-page-3", created.GetProperty("group").GetString());
        Assert.Equal([1UL], created.GetProperty("members").EnumerateArray().Select(m => m.GetUInt64()));

        // Nothing sorts between "g-page-" and "g-page-1" but this test's groups.
        var first = Exit(0, await RunAsync("group", "ls", "--after", "g-page-", "--limit", "2"));
        Assert.Equal(["g-page-1", "g-page-2"], first.Lines);
        Assert.Contains("; next page: --after g-page-2", first.Stderr, StringComparison.Ordinal);

        var second = JsonDocument.Parse(Ok(await RunAsync("group", "ls", "--after", "g-page-2", "--limit", "1", "--json")).Stdout).RootElement;
        Assert.Equal(["g-page-3"], second.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal("g-page-3", second.GetProperty("next").GetString());
        Assert.Equal("g-page-1", second.GetProperty("previous").GetString());
        var all = Ok(await RunAsync("group", "ls", "--limit", "1000")).Lines;
        Assert.Equal(all.Length, second.GetProperty("total").GetInt32());
        Assert.Equal(Array.IndexOf(all, "g-page-3"), second.GetProperty("offset").GetInt32());
        Assert.Equal(all.Order(StringComparer.Ordinal), all);
        Assert.Contains("kv", all);

        Error(2, "Bad --limit '0'", await RunAsync("group", "ls", "--limit", "0"));
        Error(2, "a page holds at most 1000 groups", await RunAsync("group", "ls", "--limit", "1001"));
        foreach (var id in new[] { "g-page-1", "g-page-2", "g-page-3" })
        {
            Ok(await AdminAsync("group", "rm", id));
        }
    }

    [Fact]
    public async Task Create_and_rm_need_the_admin_token_and_a_refusal_changes_nothing()
    {
        Error(2, "group create and rm need the admin token: pass --admin-token, or set $ORLEANSRAFT_ADMIN_TOKEN.",
            await RunAsync("group", "create", "g-refused", "--data-dir", "/nonexistent"));
        Error(1, "refused: The admin token is wrong.", await RunAsync("group", "create", "g-refused", "--admin-token", "not-the-token"));
        Error(1, "refused: The admin token is wrong.", await CliProcess.RunAsync(
            ["group", "rm", CliCluster.Group, .. cluster.Connection], environment: new Dictionary<string, string> { [TokenVariable] = "not-the-token" }));
        Error(1, "The Raft group 'g-refused' does not exist.", await RunAsync("group", "describe", "g-refused"));
        Ok(await RunAsync("group", "describe", CliCluster.Group));

        Error(2, "Give --members or --member-ids, not both.", await AdminAsync("group", "create", "g-refused", "--members", "2", "--member-ids", "1,2"));
        Error(2, "Bad --member-ids '1,x'", await AdminAsync("group", "create", "g-refused", "--member-ids", "1,x"));
        Error(2, "Bad --members '0'", await AdminAsync("group", "create", "g-refused", "--members", "0"));
    }

    /// <summary>Runs the CLI with no token from the environment, so that only the arguments give one.</summary>
    private Task<ProcessRun> RunAsync(params string[] args) =>
        CliProcess.RunAsync([.. args, .. cluster.ConnectionFor(args)], environment: new Dictionary<string, string> { [TokenVariable] = string.Empty });

    private Task<ProcessRun> AdminAsync(params string[] args) => RunAsync([.. args, "--admin-token", CliCluster.AdminToken]);

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
