using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;

namespace OrleansRaft.Cli.Commands;

/// <summary>
/// <c>group create|ls|describe|rm</c>: key-value groups as a run-time resource, through <see cref="RaftGroupAdmin"/>.
/// Creating and deleting need the admin token (see <see cref="AdminTokens"/>); listing and describing do not, as the
/// status page does not. The group is the command's argument, not <c>--group</c>.
/// </summary>
internal static class GroupCommand
{
    /// <summary>Deleting destroys every member's state: it may take as long as the grain call may.</summary>
    private static readonly TimeSpan MinDeleteTimeout = TimeSpan.Parse(IRaftGroupGrain.MembershipCallTimeout, CultureInfo.InvariantCulture);

    private static readonly Option<string?> AdminToken = AdminTokens.CreateOption();

    public static Command Create()
    {
        var command = new Command("group", "Create, list, describe and delete key-value groups at run time: create and rm need the admin token.");
        command.Options.Add(AdminToken);
        command.Subcommands.Add(CreateGroup());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Describe());
        command.Subcommands.Add(Remove());
        return command;
    }

    private static Argument<string> GroupId() => new("group-id") { Description = "The group's id." };

    private static Command CreateGroup()
    {
        var id = GroupId();
        var members = Numbers.Option("--members", $"How many members (ids 1 to N). Default: {RaftGroupAdmin.DefaultMembers}.", 1);
        var memberIds = new Option<string?>("--member-ids")
        {
            Description = "The members' Raft ids instead, comma-separated positive integers (1,2,3).",
            HelpName = "ID,...",
        };
        var command = new Command("create", "Create a key-value group; idempotent for the same members, refused when the id holds another group.")
        {
            id, members, memberIds,
        };
        CommandRunner.SetAction(command, async (context, cancellationToken) =>
        {
            var ids = MemberIds(context, members, memberIds);
            var admin = AdminTokens.Admin(context, AdminToken, "group create and rm", context.Settings.Timeout);
            var info = await Refusals(() => admin.CreateKeyValueGroupAsync(context.Parse.GetValue(id)!, ids, cancellationToken));
            if (context.Output.IsJson)
            {
                context.Output.Json(new JsonObject
                {
                    ["group"] = info.GroupId,
                    ["members"] = new JsonArray([.. info.Members.Select(m => (JsonNode)m)]),
                    ["stateMachine"] = info.StateMachineType,
                    ["createdAt"] = info.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
                });
            }
            else
            {
                context.Output.Line($"group {info.GroupId} created with members {string.Join(",", info.Members.Select(Show))}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List()
    {
        var after = new Option<string?>("--after")
        {
            Description = "List the groups after this id (the last one of the page before), in ordinal order.",
            HelpName = "ID",
        };
        var limit = Numbers.Option("--limit", $"At most this many groups (1 to {IRaftDirectoryGrain.MaxPageSize}). Default: {RaftGroupAdmin.DefaultPageSize}.", 1);
        var command = new Command("ls", "List group ids, one a line, in ordinal order, a page at a time; standard error says how to get the next page.")
        {
            after, limit,
        };
        CommandRunner.SetAction(command, async (context, cancellationToken) =>
        {
            var size = context.Parse.GetResult(limit) is null ? RaftGroupAdmin.DefaultPageSize : context.Parse.GetValue(limit);
            if (size > IRaftDirectoryGrain.MaxPageSize)
            {
                throw new CliException(ExitCodes.Usage, $"Bad --limit '{size}': a page holds at most {IRaftDirectoryGrain.MaxPageSize} groups.");
            }

            var admin = new RaftGroupAdmin(context.Connection.Client, adminToken: null, context.Settings.Timeout);
            var page = await ClusterRetry.ReadAsync(() => admin.ListAsync(context.Parse.GetValue(after), (int)size, cancellationToken), context.Settings.Timeout, cancellationToken);
            if (context.Output.IsJson)
            {
                context.Output.Json(new JsonObject
                {
                    ["groups"] = new JsonArray([.. page.Groups.Select(g => (JsonNode)g)]),
                    ["offset"] = page.Offset,
                    ["total"] = page.Total,
                    ["next"] = page.Next,
                    ["previous"] = page.Previous,
                });
                return ExitCodes.Ok;
            }

            foreach (var group in page.Groups)
            {
                context.Output.Line(group);
            }

            // Standard output holds only ids, so that a script can read them; where the page lies goes to standard error.
            if (page.Next is not null)
            {
                await Console.Error.WriteLineAsync(
                    $"groups {page.Offset + 1}-{page.Offset + page.Groups.Length} of {page.Total}; next page: --after {page.Next}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Describe()
    {
        var id = GroupId();
        var command = new Command("describe", "Print a group's leader and term, and each member's silo, role, term, commit and applied index, and lag.") { id };
        command.Aliases.Add("status");
        CommandRunner.SetAction(command, async (context, cancellationToken) =>
        {
            var groupId = context.Parse.GetValue(id)!;
            var admin = new RaftGroupAdmin(context.Connection.Client, adminToken: null, context.Settings.Timeout);
            var status = await ClusterRetry.ReadAsync(() => admin.DescribeAsync(groupId, cancellationToken), context.Settings.Timeout, cancellationToken)
                ?? throw new CliException(ExitCodes.Failed, $"The Raft group '{groupId}' does not exist.");
            if (context.Output.IsJson)
            {
                context.Output.Json(StatusCommand.Json(status));
                return ExitCodes.Ok;
            }

            context.Output.Line($"group {status.GroupId} · {status.StateMachineType} · term {Show(status.Term)} · leader {(status.Leader == 0 ? "none" : Show(status.Leader))}");
            foreach (var line in StatusCommand.Table([status]))
            {
                context.Output.Line(line);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Remove()
    {
        var id = GroupId();
        var command = new Command("rm", "Delete a group: its members stop, and their state and the group's record are deleted.") { id };
        CommandRunner.SetAction(command, async (context, cancellationToken) =>
        {
            var groupId = context.Parse.GetValue(id)!;
            var timeout = context.Settings.Timeout > MinDeleteTimeout ? context.Settings.Timeout : MinDeleteTimeout;
            var admin = AdminTokens.Admin(context, AdminToken, "group create and rm", timeout);
            if (!await Refusals(() => admin.DeleteAsync(groupId, cancellationToken)))
            {
                throw new CliException(ExitCodes.Failed, $"The Raft group '{groupId}' does not exist.");
            }

            if (context.Output.IsJson)
            {
                context.Output.Json(new JsonObject { ["group"] = groupId, ["deleted"] = true });
            }
            else
            {
                context.Output.Line($"group {groupId} deleted");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The ids of --member-ids, else 1 to --members (default 3); the two together are a usage error.</summary>
    private static ulong[] MemberIds(CommandContext context, Option<long> members, Option<string?> memberIds)
    {
        var list = context.Parse.GetValue(memberIds);
        if (list is null)
        {
            var count = context.Parse.GetResult(members) is null ? RaftGroupAdmin.DefaultMembers : context.Parse.GetValue(members);
            return [.. Enumerable.Range(1, (int)Math.Min(count, int.MaxValue)).Select(i => (ulong)i)];
        }

        if (context.Parse.GetResult(members) is not null)
        {
            throw new CliException(ExitCodes.Usage, "Give --members or --member-ids, not both.");
        }

        var ids = new List<ulong>();
        foreach (var part in list.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!ulong.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var memberId) || memberId == 0 || ids.Contains(memberId))
            {
                throw new CliException(ExitCodes.Usage, $"Bad --member-ids '{list}': expected distinct positive integers, comma-separated.");
            }

            ids.Add(memberId);
        }

        return [.. ids];
    }

    /// <summary>Admin refusals as one line and exit code 1: a wrong token, a group that exists with other members.</summary>
    private static async Task<T> Refusals<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RaftAdminAuthenticationException e)
        {
            throw new CliException(ExitCodes.Failed, $"refused: {e.Message}");
        }
        catch (RaftGroupExistsException e)
        {
            throw new CliException(ExitCodes.Failed, e.Message);
        }
    }

    private static string Show(ulong number) => number.ToString(CultureInfo.InvariantCulture);
}
