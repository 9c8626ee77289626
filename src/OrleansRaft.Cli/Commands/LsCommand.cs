using System.CommandLine;
using System.Text.Json.Nodes;
using OrleansRaft.KeyValue;

namespace OrleansRaft.Cli.Commands;

/// <summary>
/// <c>ls [PATH]</c>: the immediate children of a directory (keys are '/'-separated paths): its keys, and its
/// sub-directories, which end with '/'.
/// </summary>
internal static class LsCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("PATH")
        {
            Description = "The directory; a trailing '/' is added when missing. Default: /.",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => "/",
        };
        var consistency = ReadOptions.Consistency();
        var revision = ReadOptions.Revision();
        var command = new Command("ls", "List a directory's immediate children, one path a line; sub-directories end with '/'.") { path, consistency, revision };
        CommandRunner.SetKvAction(command, async (context, cancellationToken) =>
        {
            var text = context.Parse.GetValue(path) is { Length: > 0 } given ? given : "/";
            var directory = KvBytes.From(text.EndsWith('/') ? text : text + "/");
            var call = ReadOptions.Call(context.Parse, consistency);
            var asked = context.Parse.GetValue(revision);
            var entries = new List<DirectoryEntry>();
            DirectoryListing? first = null;
            DirectoryListing page;
            do
            {
                // Later pages read at the first page's revision, so that the pages make one listing.
                var request = new ListDirectoryRequest(directory)
                {
                    Revision = asked != 0 || first is null ? asked : first.Revision,
                    After = entries.Count == 0 ? ReadOnlyMemory<byte>.Empty : entries[^1].Path,
                    KeysOnly = !context.Output.IsJson,
                };
                page = await context.Kv.ListDirectoryAsync(request, call, cancellationToken);
                first ??= page;
                entries.AddRange(page.Entries);
            }
            while (page.More && page.Entries.Count > 0);

            if (context.Output.IsJson)
            {
                context.Output.Json(new JsonObject
                {
                    ["revision"] = first!.Revision,
                    ["directory"] = CliOutput.Text(directory),
                    ["entries"] = new JsonArray([.. entries.Select(e => (JsonNode)(e.Kv is { } kv
                        ? new JsonObject { ["path"] = CliOutput.Text(e.Path), ["dir"] = false, ["kv"] = CliOutput.Entry(kv) }
                        : new JsonObject { ["path"] = CliOutput.Text(e.Path), ["dir"] = true }))]),
                });
            }
            else
            {
                foreach (var entry in entries)
                {
                    context.Output.Line(CliOutput.Text(entry.Path));
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
