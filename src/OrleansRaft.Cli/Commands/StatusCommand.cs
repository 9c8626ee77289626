using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using OrleansRaft.Abstractions;

namespace OrleansRaft.Cli.Commands;

/// <summary>
/// <c>status</c>: every Raft group and its members as a table: the silo each member lives on, its role, term, commit
/// and applied index, and its lag (committed entries it has yet to apply). A member that did not answer in time
/// shows as unreachable, with the reason. The directory answers a page of groups at a time (<see cref="PageSize"/>), each
/// call bounded by the command's timeout; <c>group ls</c> and <c>group describe</c> look at fewer groups.
/// </summary>
internal static class StatusCommand
{
    private const int PageSize = 100;

    private static readonly string[] Headers = ["GROUP", "MEMBER", "SILO", "ROLE", "TERM", "COMMIT", "APPLIED", "LAG", "ERROR"];

    public static Command Create()
    {
        var command = new Command("status", "Print every Raft group's members: silo, role, term, commit and applied index, and lag.");
        CommandRunner.SetAction(command, async (context, cancellationToken) =>
        {
            var directory = context.Connection.Client.GetGrain<IRaftDirectoryGrain>(IRaftDirectoryGrain.Key);
            List<RaftGroupStatus> groups = [];
            string? after = null;
            do
            {
                var page = await ClusterRetry.ReadAsync(() => directory.GetStatusAsync(after, PageSize), context.Settings.Timeout, cancellationToken);
                groups.AddRange(page.Groups);
                after = page.Page.Next;
            }
            while (after is not null);

            if (context.Output.IsJson)
            {
                context.Output.Json(new JsonArray([.. groups.Select(g => (JsonNode)Json(g))]));
            }
            else if (groups.Count == 0)
            {
                context.Output.Line("The cluster has no Raft group.");
            }
            else
            {
                foreach (var line in Table(groups))
                {
                    context.Output.Line(line);
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Left-aligned columns, two spaces apart, with trailing spaces trimmed.</summary>
    internal static IEnumerable<string> Table(IEnumerable<RaftGroupStatus> groups)
    {
        List<string[]> rows = [Headers];
        foreach (var group in groups)
        {
            foreach (var member in group.Members)
            {
                rows.Add(member.Status is { } s
                    ? [group.GroupId, Show(member.MemberId), s.Silo, Role(s.Role), Show(s.Term), Show(s.Commit), Show(s.Applied), Show(member.Lag), string.Empty]
                    : [group.GroupId, Show(member.MemberId), "-", "unreachable", "-", "-", "-", "-", OneLine(member.Error)]);
            }
        }

        // The error column only when a member has one.
        var columns = rows.Skip(1).Any(r => r[^1].Length > 0) ? Headers.Length : Headers.Length - 1;
        var widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => r[c].Length)).ToArray();
        return rows.Select(r => string.Join("  ", r.Take(columns).Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
    }

    internal static JsonObject Json(RaftGroupStatus group) => new()
    {
        ["group"] = group.GroupId,
        ["stateMachine"] = group.StateMachineType,
        ["leader"] = group.Leader,
        ["term"] = group.Term,
        ["members"] = new JsonArray([.. group.Members.Select(m => (JsonNode)(m.Status is { } s
            ? new JsonObject
            {
                ["member"] = m.MemberId,
                ["silo"] = s.Silo,
                ["role"] = Role(s.Role),
                ["term"] = s.Term,
                ["leader"] = s.Leader,
                ["commit"] = s.Commit,
                ["applied"] = s.Applied,
                ["lag"] = m.Lag,
            }
            : new JsonObject { ["member"] = m.MemberId, ["role"] = "unreachable", ["error"] = m.Error }))]),
    };

    private static string Role(RaftMemberRole role) => role.ToString().ToLowerInvariant();

    private static string Show(ulong number) => number.ToString(CultureInfo.InvariantCulture);

    private static string OneLine(string? text) => (text ?? "no answer").ReplaceLineEndings(" ");
}
