using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;

namespace OrleansRaft.Cli.Commands;

/// <summary>
/// <c>member list|add|remove|promote|replace</c>: the membership admin API of one Raft group (--group). Every command
/// needs the admin token configured on the silos (see <see cref="AdminTokens"/>).
/// </summary>
internal static class MemberCommand
{
    /// <summary>A change waits for a leader, the change in flight and a new learner's catch-up: as long as the grain call may take.</summary>
    private static readonly TimeSpan MinChangeTimeout = TimeSpan.Parse(IRaftGroupGrain.MembershipCallTimeout, CultureInfo.InvariantCulture);

    private static readonly Option<string?> AdminToken = AdminTokens.CreateOption();

    private static readonly string[] Headers = ["MEMBER", "KIND", "SILO", "ROLE", "TERM", "COMMIT", "APPLIED", "LAG", "ERROR"];

    public static Command Create()
    {
        var command = new Command("member", "List and change the members of a Raft group (--group): needs the admin token.");
        command.Options.Add(AdminToken);
        command.Subcommands.Add(List());
        command.Subcommands.Add(Change("add", "Add a new member: started on a silo free of the group's members, caught up as a learner, then promoted.",
            (group, id, token) => group.AddMemberAsync(id, token)));
        command.Subcommands.Add(Change("remove", "Remove a member (the leader included), then delete its state.",
            (group, id, token) => group.RemoveMemberAsync(id, token)));
        command.Subcommands.Add(Change("promote", "Promote a learner to voter once it has caught up.",
            (group, id, token) => group.PromoteAsync(id, token)));
        command.Subcommands.Add(Replace());
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "Print the group's voters and learners, with each member's silo, role, term and indexes.");
        CommandRunner.SetAction(command, (context, cancellationToken) => RunAsync(context, cancellationToken, context.Settings.Timeout, async (group, token) =>
        {
            var membership = await group.ListMembersAsync(token)
                ?? throw new CliException(ExitCodes.Failed, $"The Raft group '{context.Settings.Group}' does not exist.");
            Print(context, membership);
        }));
        return command;
    }

    private static Command Change(string name, string description, Func<IRaftGroupGrain, ulong, string?, Task<RaftMembership>> change)
    {
        var id = Numbers.Argument("member-id", "The member's Raft id (a positive integer).", 1);
        var command = new Command(name, description) { id };
        CommandRunner.SetAction(command, (context, cancellationToken) => RunAsync(context, cancellationToken, ChangeTimeout(context), async (group, token) =>
        {
            Print(context, await change(group, (ulong)context.Parse.GetValue(id), token));
        }));
        return command;
    }

    private static Command Replace()
    {
        var old = Numbers.Argument("old-member-id", "The member to replace, for example one on a dead silo.", 1);
        var replacement = Numbers.Argument("new-member-id", "The new member's Raft id, not used in the group before.", 1);
        var command = new Command("replace", "Replace a member: add the new one, catch it up and promote it, then remove the old one.") { old, replacement };
        CommandRunner.SetAction(command, (context, cancellationToken) => RunAsync(context, cancellationToken, ChangeTimeout(context), async (group, token) =>
        {
            Print(context, await group.ReplaceMemberAsync((ulong)context.Parse.GetValue(old), (ulong)context.Parse.GetValue(replacement), token));
        }));
        return command;
    }

    private static TimeSpan ChangeTimeout(CommandContext context) =>
        context.Settings.Timeout > MinChangeTimeout ? context.Settings.Timeout : MinChangeTimeout;

    private static async Task<int> RunAsync(
        CommandContext context, CancellationToken cancellationToken, TimeSpan timeout, Func<IRaftGroupGrain, string?, Task> body)
    {
        var token = AdminTokens.Resolve(context, AdminToken, "member commands");
        var group = context.Connection.Client.GetGrain<IRaftGroupGrain>(context.Settings.Group);
        try
        {
            // Without a token, as --user: the call carries the user's token for the silo to check.
            var call = token is not null ? body(group, token)
                : new KvAdminCaller(context.Connection.Client, context.Settings.User!, context.Settings.Group).CallAsync(() => body(group, null), cancellationToken);
            await call.WaitAsync(timeout, cancellationToken);
        }
        catch (RaftAdminAuthenticationException e)
        {
            throw new CliException(ExitCodes.Failed, $"refused: {e.Message}");
        }
        catch (RaftMembershipException e)
        {
            throw new CliException(ExitCodes.Failed, $"{e.Message} ({Kebab(e.Reason.ToString())})");
        }
        catch (RaftGroupNotFoundException e)
        {
            throw new CliException(ExitCodes.Failed, e.Message);
        }

        return ExitCodes.Ok;
    }

    private static void Print(CommandContext context, RaftMembership membership)
    {
        if (context.Output.IsJson)
        {
            context.Output.Json(new JsonObject
            {
                ["group"] = membership.GroupId,
                ["voters"] = new JsonArray([.. membership.Voters.Select(v => (JsonNode)v)]),
                ["learners"] = new JsonArray([.. membership.Learners.Select(v => (JsonNode)v)]),
                ["configurationIndex"] = membership.ConfigurationIndex,
                ["members"] = new JsonArray([.. membership.Members.Select(m => (JsonNode)(m.Status is { } s
                    ? new JsonObject
                    {
                        ["member"] = m.MemberId,
                        ["kind"] = Kind(membership, m.MemberId),
                        ["silo"] = s.Silo,
                        ["role"] = s.Role.ToString().ToLowerInvariant(),
                        ["term"] = s.Term,
                        ["commit"] = s.Commit,
                        ["applied"] = s.Applied,
                        ["lag"] = m.Lag,
                    }
                    : new JsonObject { ["member"] = m.MemberId, ["kind"] = Kind(membership, m.MemberId), ["role"] = "unreachable", ["error"] = m.Error }))]),
            });
            return;
        }

        context.Output.Line($"group {membership.GroupId}: voters {Ids(membership.Voters)}; learners {Ids(membership.Learners)}");
        if (membership.Members.Length == 0)
        {
            return;
        }

        List<string[]> rows = [Headers];
        foreach (var m in membership.Members)
        {
            rows.Add(m.Status is { } s
                ? [Show(m.MemberId), Kind(membership, m.MemberId), s.Silo, s.Role.ToString().ToLowerInvariant(), Show(s.Term), Show(s.Commit), Show(s.Applied), Show(m.Lag), string.Empty]
                : [Show(m.MemberId), Kind(membership, m.MemberId), "-", "unreachable", "-", "-", "-", "-", (m.Error ?? "no answer").ReplaceLineEndings(" ")]);
        }

        var columns = rows.Skip(1).Any(r => r[^1].Length > 0) ? Headers.Length : Headers.Length - 1;
        var widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            context.Output.Line(string.Join("  ", row.Take(columns).Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }
    }

    private static string Kind(RaftMembership membership, ulong id) =>
        membership.Voters.Contains(id) ? "voter" : membership.Learners.Contains(id) ? "learner" : "joining";

    private static string Ids(IEnumerable<ulong> ids) => ids.Any() ? string.Join(",", ids.Select(Show)) : "none";

    private static string Show(ulong number) => number.ToString(CultureInfo.InvariantCulture);

    private static string Kebab(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
