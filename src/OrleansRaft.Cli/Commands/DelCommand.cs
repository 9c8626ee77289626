using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using OrleansRaft.KeyValue;

namespace OrleansRaft.Cli.Commands;

/// <summary><c>del KEY</c>: deletes a key, or with <c>--prefix</c> every key under a prefix (a recursive delete).</summary>
internal static class DelCommand
{
    public static Command Create()
    {
        var key = new Argument<string>("KEY") { Description = "The key, or with --prefix the prefix (UTF-8)." };
        var prefix = new Option<bool>("--prefix") { Description = "Delete every key that starts with KEY: a directory and all below it." };
        var prevKv = new Option<bool>("--prev-kv") { Description = "Also print the deleted keys and values." };
        var command = new Command("del", "Delete a key, or with --prefix every key under a prefix. Prints how many keys were deleted.") { key, prefix, prevKv };
        CommandRunner.SetKvAction(command, async (context, cancellationToken) =>
        {
            var start = KvBytes.From(context.Parse.GetRequiredValue(key));
            var request = new DeleteRangeRequest(start)
            {
                RangeEnd = context.Parse.GetValue(prefix) ? KeyRanges.PrefixEnd(start) : ReadOnlyMemory<byte>.Empty,
                PrevKv = context.Parse.GetValue(prevKv),
            };
            var result = await context.Kv.DeleteAsync(request, cancellationToken: cancellationToken);
            if (context.Output.IsJson)
            {
                context.Output.Json(new JsonObject
                {
                    ["revision"] = result.Revision,
                    ["deleted"] = result.Deleted,
                    ["prevKvs"] = CliOutput.Entries(result.PrevKvs),
                });
            }
            else
            {
                context.Output.Line(result.Deleted.ToString(CultureInfo.InvariantCulture));
                foreach (var kv in result.PrevKvs)
                {
                    context.Output.KeyValue(kv);
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
