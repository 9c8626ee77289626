using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using OrleansRaft.Client;
using OrleansRaft.KeyValue;

namespace OrleansRaft.Cli.Commands;

/// <summary>
/// <c>lease grant|revoke|keepalive|ttl|list</c>. A lease ends when its TTL passes without a keepalive (on the
/// leader's replicated clock) or when revoked; its keys are deleted with it. Lease ids are decimal.
/// </summary>
internal static class LeaseCommand
{
    public static Command Create()
    {
        var command = new Command("lease", "Grant, keep alive, inspect and revoke leases; keys attached to a lease (put --lease) die with it.");
        command.Subcommands.Add(Grant());
        command.Subcommands.Add(Revoke());
        command.Subcommands.Add(KeepAlive());
        command.Subcommands.Add(TimeToLive());
        command.Subcommands.Add(List());
        return command;
    }

    private static Command Grant()
    {
        var ttl = Numbers.Argument("TTL", "The time to live, in seconds (the store raises it to its minimum, 2 s by default).", 1);
        var id = Numbers.Option("--id", "The lease id to use (0: the store chooses).", 0, "ID");
        var command = new Command("grant", "Grant a lease. Prints: lease ID granted with TTL(Ns).") { ttl, id };
        CommandRunner.SetKvAction(command, async (context, cancellationToken) =>
        {
            var result = await context.Kv.LeaseGrantAsync(context.Parse.GetValue(ttl), context.Parse.GetValue(id), cancellationToken: cancellationToken);
            Print(context.Output, new JsonObject { ["id"] = result.Id, ["ttl"] = result.TtlSeconds }, $"lease {result.Id} granted with TTL({result.TtlSeconds}s)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Revoke()
    {
        var id = LeaseId();
        var command = new Command("revoke", "Revoke a lease now, deleting its keys. Prints: lease ID revoked.") { id };
        CommandRunner.SetKvAction(command, async (context, cancellationToken) =>
        {
            var result = await context.Kv.LeaseRevokeAsync(context.Parse.GetValue(id), cancellationToken: cancellationToken);
            Print(context.Output, new JsonObject { ["id"] = result.Id, ["deletedKeys"] = result.DeletedKeys, ["revision"] = result.Revision }, $"lease {result.Id} revoked");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command KeepAlive()
    {
        var id = LeaseId();
        var once = new Option<bool>("--once") { Description = "Send one keepalive and exit." };
        var command = new Command(
            "keepalive",
            "Keep a lease alive until Ctrl-C: a keepalive every third of its TTL, each printed as: lease ID keepalived with TTL(N). Exits 1 when the lease is gone.")
        {
            id, once,
        };
        CommandRunner.SetKvAction(command, async (context, cancellationToken) =>
        {
            var lease = context.Parse.GetValue(id);
            var result = await context.Kv.LeaseKeepAliveAsync(lease, cancellationToken: cancellationToken);
            PrintKeptAlive(context.Output, result);
            if (context.Parse.GetValue(once))
            {
                return ExitCodes.Ok;
            }

            return await KeepAliveUntilCancelledAsync(context, lease, result.TtlSeconds, cancellationToken);
        });
        return command;
    }

    /// <summary>
    /// Keepalives every third of the TTL. A keepalive with no answer in time is reported and the next one goes out
    /// on schedule: the TTL leaves room for two more before the lease can expire.
    /// </summary>
    private static async Task<int> KeepAliveUntilCancelledAsync(KvContext context, long lease, long ttlSeconds, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Max(100, ttlSeconds * 1000 / 3));
        try
        {
            while (true)
            {
                await Task.Delay(interval, cancellationToken);
                try
                {
                    PrintKeptAlive(context.Output, await context.Kv.LeaseKeepAliveAsync(lease, new KvCallOptions { Timeout = interval }, cancellationToken));
                }
                catch (TimeoutException)
                {
                    await Console.Error.WriteLineAsync($"warning: no answer to a keepalive of lease {lease} within {Durations.Show(interval)}; trying again.");
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
        catch (KvRequestException e) when (e.Code == KvErrorCode.LeaseNotFound)
        {
            await CommandRunner.WriteErrorAsync($"lease {lease} expired or was revoked.");
            return ExitCodes.Failed;
        }
    }

    private static Command TimeToLive()
    {
        var id = LeaseId();
        var keys = new Option<bool>("--keys") { Description = "Also list the keys attached to the lease." };
        var command = new Command("ttl", "Print a lease's granted and remaining TTL: lease ID granted with TTL(Ns), remaining(Ns).") { id, keys };
        CommandRunner.SetKvAction(command, async (context, cancellationToken) =>
        {
            var result = await context.Kv.LeaseTimeToLiveAsync(context.Parse.GetValue(id), context.Parse.GetValue(keys), cancellationToken: cancellationToken);
            var text = $"lease {result.Id} granted with TTL({result.GrantedTtlSeconds}s), remaining({result.RemainingTtlSeconds}s)";
            if (context.Parse.GetValue(keys))
            {
                text += $", attached keys([{string.Join(' ', result.Keys.Select(CliOutput.Text))}])";
            }

            Print(
                context.Output,
                new JsonObject
                {
                    ["id"] = result.Id,
                    ["grantedTtl"] = result.GrantedTtlSeconds,
                    ["remainingMilliseconds"] = result.RemainingMilliseconds,
                    ["keys"] = new JsonArray([.. result.Keys.Select(k => (JsonNode)CliOutput.Text(k))]),
                },
                text);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "Print the ids of every lease, one a line.");
        CommandRunner.SetKvAction(command, async (context, cancellationToken) =>
        {
            var result = await context.Kv.LeaseListAsync(cancellationToken: cancellationToken);
            if (context.Output.IsJson)
            {
                context.Output.Json(new JsonObject { ["ids"] = new JsonArray([.. result.Ids.Select(i => (JsonNode)i)]) });
            }
            else
            {
                foreach (var lease in result.Ids)
                {
                    context.Output.Line(lease.ToString(CultureInfo.InvariantCulture));
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Argument<long> LeaseId() => Numbers.Argument("ID", "The lease id (decimal, as 'lease grant' prints it).", 1);

    private static void PrintKeptAlive(CliOutput output, LeaseKeepAliveResult result) =>
        Print(output, new JsonObject { ["id"] = result.Id, ["ttl"] = result.TtlSeconds }, $"lease {result.Id} keepalived with TTL({result.TtlSeconds})");

    private static void Print(CliOutput output, JsonObject json, string text)
    {
        if (output.IsJson)
        {
            output.Json(json);
        }
        else
        {
            output.Line(text);
        }
    }
}
