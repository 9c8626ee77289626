using System.Globalization;
using System.Text.Json;
using OrleansRaft.Abstractions;
using OrleansRaft.Cli.Tests.Infrastructure;
using OrleansRaft.KeyValue.Hosting;
using OrleansRaft.TestSupport;
using static OrleansRaft.Cli.Tests.Infrastructure.Expect;

namespace OrleansRaft.Cli.Tests;

/// <summary>
/// member list|add|remove|promote against a live 3-silo cluster of their own. Each test creates its own 2-member group,
/// so that one silo holds none of its members and a new member has a place to go.
/// </summary>
[Collection(MembershipClusterCollection.Name)]
public sealed class MemberCommandTests(CliCluster cluster)
{
    private const string TokenVariable = "ORLEANSRAFT_ADMIN_TOKEN";

    [Fact]
    public async Task List_add_remove_and_a_promote_of_a_voter_as_a_user_runs_them()
    {
        const string group = "members";
        var leader = await CreateAsync(group);

        // list: the table, then the same in JSON.
        var table = Ok(await RunAsync(group, "member", "list", "--admin-token", CliCluster.AdminToken)).Lines;
        Assert.Equal($"group {group}: voters 1,2; learners none", table[0]);
        Assert.Equal(["MEMBER", "KIND", "SILO", "ROLE", "TERM", "COMMIT", "APPLIED", "LAG"], Cells(table[1]));
        var rows = table[2..].Select(Cells).ToArray();
        Assert.Equal(["1", "2"], rows.Select(r => r[0]));
        Assert.All(rows, r => Assert.Equal("voter", r[1]));
        Assert.Equal(leader.Silo, Assert.Single(rows, r => r[3] == "leader")[2]);
        Assert.Equal("follower", Assert.Single(rows, r => r[3] != "leader")[3]);

        var listed = Json(Ok(await RunAsync(group, "member", "list", "--json", "--admin-token", CliCluster.AdminToken)));
        Assert.Equal(group, listed.GetProperty("group").GetString());
        Assert.Equal([1UL, 2UL], Ids(listed.GetProperty("voters")));
        Assert.Empty(Ids(listed.GetProperty("learners")));
        var members = listed.GetProperty("members").EnumerateArray().ToArray();
        Assert.Equal([1UL, 2UL], members.Select(m => m.GetProperty("member").GetUInt64()));
        Assert.All(members, m => Assert.Equal("voter", m.GetProperty("kind").GetString()));
        Assert.Equal(leader.MemberId, Assert.Single(members, m => m.GetProperty("role").GetString() == "leader").GetProperty("member").GetUInt64());
        var silos = members.Select(m => m.GetProperty("silo").GetString()).ToArray();

        // add: the new member starts on the silo free of the group, catches up, and is a voter when the command ends.
        Assert.Equal(["OK"], Ok(await RunAsync(group, "put", "/members/before", "one")).Lines);
        var added = Json(Ok(await RunAsync(group, "member", "add", "3", "--json", "--admin-token", CliCluster.AdminToken)));
        Assert.Equal([1UL, 2UL, 3UL], Ids(added.GetProperty("voters")));
        Assert.Empty(Ids(added.GetProperty("learners")));
        var commit = (await Member(group, leader.MemberId).GetStatusAsync()).Commit;
        await CliCluster.WaitUntilAsync(async () => (await Member(group, 3).GetStatusAsync()).Applied >= commit, $"member 3 of {group} to apply index {commit}");
        var grown = Json(Ok(await RunAsync(group, "member", "list", "--json", "--admin-token", CliCluster.AdminToken)));
        Assert.Equal([1UL, 2UL, 3UL], Ids(grown.GetProperty("voters")));
        var newcomer = Assert.Single(grown.GetProperty("members").EnumerateArray(), m => m.GetProperty("member").GetUInt64() == 3);
        Assert.Equal("voter", newcomer.GetProperty("kind").GetString());
        Assert.DoesNotContain(newcomer.GetProperty("silo").GetString(), silos);

        // promote of a voter: refused, by name, and nothing changes.
        var promote = Error(1, $"Raft group '{group}': member 1 is not a learner (voters: 1,2,3;",
            await RunAsync(group, "member", "promote", "1", "--admin-token", CliCluster.AdminToken));
        Assert.EndsWith("(unknown-member)\n", promote.Stderr, StringComparison.Ordinal);

        // remove: a follower of the original two leaves; the group still serves the CLI's puts and gets.
        var follower = leader.MemberId == 1 ? 2UL : 1UL;
        var shrunk = Ok(await RunAsync(group, "member", "remove", follower.ToString(CultureInfo.InvariantCulture), "--admin-token", CliCluster.AdminToken)).Lines;
        var remaining = new[] { 1UL, 2UL, 3UL }.Where(m => m != follower).ToArray();
        Assert.Equal($"group {group}: voters {string.Join(',', remaining)}; learners none", shrunk[0]);
        var after = Json(Ok(await RunAsync(group, "member", "list", "--json", "--admin-token", CliCluster.AdminToken)));
        Assert.Equal(remaining, Ids(after.GetProperty("voters")));
        Assert.Equal(remaining, after.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("member").GetUInt64()));
        Assert.Equal(["OK"], Ok(await RunAsync(group, "put", "/members/after", "two")).Lines);
        Assert.Equal(["/members/after", "two", "/members/before", "one"], Ok(await RunAsync(group, "get", "/members/", "--prefix")).Lines);
    }

    [Fact]
    public async Task A_wrong_or_missing_token_is_refused_with_a_non_zero_exit_and_changes_nothing()
    {
        const string group = "members-secured";
        await CreateAsync(group);
        var empty = TestFolders.Create("cli-member");
        try
        {
            // No option, an empty variable and a data directory without a token file: refused before any call.
            var noToken = new Dictionary<string, string> { [TokenVariable] = string.Empty };
            Error(2, "member commands need the admin token: pass --admin-token, or set $ORLEANSRAFT_ADMIN_TOKEN.",
                await CliProcess.RunAsync(["member", "add", "3", "--data-dir", empty, .. cluster.OrleansConnection], environment: noToken));

            // A wrong token, from the option or from the environment: the silos refuse it.
            var refused = "refused: The admin token is wrong.";
            Error(1, refused, await RunAsync(group, "member", "add", "3", "--admin-token", "not-the-token"));
            Error(1, refused, await RunAsync(group, "member", "remove", "1", "--admin-token", "not-the-token"));
            Error(1, refused, await CliProcess.RunAsync(
                ["member", "list", "--group", group, "--data-dir", empty, .. cluster.OrleansConnection],
                environment: new Dictionary<string, string> { [TokenVariable] = "not-the-token" }));
            Error(1, refused, await RunAsync(group, "member", "promote", "2", "--admin-token", "not-the-token"));

            // The token from the data directory's file is the right one: the membership is as it was created.
            await File.WriteAllTextAsync(Path.Combine(empty, "admin-token"), CliCluster.AdminToken + "\n");
            var listed = Json(Ok(await CliProcess.RunAsync(
                ["member", "list", "--json", "--group", group, "--data-dir", empty, .. cluster.OrleansConnection], environment: noToken)));
            Assert.Equal([1UL, 2UL], Ids(listed.GetProperty("voters")));
            Assert.Empty(Ids(listed.GetProperty("learners")));
            Assert.Equal(0UL, listed.GetProperty("configurationIndex").GetUInt64());
        }
        finally
        {
            TestFolders.Delete(empty);
        }
    }

    /// <summary>Creates a 2-member key-value group and waits for its leader, with both members agreeing on it.</summary>
    private async Task<RaftMemberStatus> CreateAsync(string group)
    {
        await cluster.Grains.GetGrain<IRaftGroupGrain>(group).CreateAsync(new RaftGroupSpec([1, 2], KeyValueStore.StateMachineType), CliCluster.AdminToken);
        RaftMemberStatus? leader = null;
        await CliCluster.WaitUntilAsync(async () =>
        {
            var statuses = await Task.WhenAll(Member(group, 1).GetStatusAsync(), Member(group, 2).GetStatusAsync());
            leader = statuses.SingleOrDefault(s => s.Role == RaftMemberRole.Leader);
            return leader is not null && statuses.All(s => s.Leader == leader.MemberId && s.Term == leader.Term);
        }, $"a leader of {group} that both members follow");
        return leader!;
    }

    /// <summary>Runs the CLI on <paramref name="group"/> with no token from the environment, so that only the arguments give one.</summary>
    private Task<ProcessRun> RunAsync(string group, params string[] args) =>
        CliProcess.RunAsync([.. args, "--group", group, .. cluster.Connection], environment: new Dictionary<string, string> { [TokenVariable] = string.Empty });

    private IRaftMemberGrain Member(string group, ulong id) => cluster.Grains.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(group, id));

    private static JsonElement Json(ProcessRun result) => JsonDocument.Parse(result.Stdout).RootElement;

    private static ulong[] Ids(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetUInt64())];

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
