using System.CommandLine;
using System.Text.Json.Nodes;
using OrleansRaft.KeyValue;

namespace OrleansRaft.Cli.Commands;

/// <summary><c>watch KEY</c>: prints the writes to a key or prefix as they happen, until Ctrl-C.</summary>
internal static class WatchCommand
{
    public static Command Create()
    {
        var key = new Argument<string>("KEY") { Description = "The key, or with --prefix the prefix (UTF-8)." };
        var prefix = new Option<bool>("--prefix") { Description = "Watch every key that starts with KEY." };
        var revision = Numbers.Option("--rev", "Start with the events of this revision, replaying history (0: only writes after now).", 0);
        var command = new Command(
            "watch",
            "Print each write to a key or prefix, in revision order, until Ctrl-C: PUT or DELETE, then the key, then the value (empty for DELETE).")
        {
            key, prefix, revision,
        };
        CommandRunner.SetKvAction(command, async (context, cancellationToken) =>
        {
            var start = KvBytes.From(context.Parse.GetRequiredValue(key));
            var end = context.Parse.GetValue(prefix) ? KeyRanges.PrefixEnd(start) : ReadOnlyMemory<byte>.Empty;
            try
            {
                await foreach (var e in context.Kv.WatchAsync(start, end, context.Parse.GetValue(revision), cancellationToken: cancellationToken))
                {
                    Print(context.Output, e);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C is how a watch ends.
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Print(CliOutput output, KvEvent e)
    {
        var type = e.Type == KvEventType.Put ? "PUT" : "DELETE";
        if (output.IsJson)
        {
            output.Json(new JsonObject { ["type"] = type, ["revision"] = e.Kv.ModRevision, ["kv"] = CliOutput.Entry(e.Kv) });
            return;
        }

        output.Line(type);
        output.Line(CliOutput.Text(e.Kv.Key));
        output.Line(CliOutput.Text(e.Kv.Value));
    }
}
