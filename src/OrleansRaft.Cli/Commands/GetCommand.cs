using System.CommandLine;
using System.Text.Json.Nodes;
using OrleansRaft.Cli.Transport;
using OrleansRaft.Client;
using OrleansRaft.KeyValue;

namespace OrleansRaft.Cli.Commands;

/// <summary><c>get KEY</c>: a key, or every key under a prefix, at the current revision or an older one.</summary>
internal static class GetCommand
{
    public static Command Create()
    {
        var key = new Argument<string>("KEY") { Description = "The key, or with --prefix the prefix (UTF-8)." };
        var prefix = new Option<bool>("--prefix") { Description = "Every key that starts with KEY, in key order." };
        var consistency = ReadOptions.Consistency();
        var revision = ReadOptions.Revision();
        var limit = Numbers.Option("--limit", "Print at most N keys (0: all of them).", 0);
        var keysOnly = new Option<bool>("--keys-only") { Description = "Print the keys alone." };
        var countOnly = new Option<bool>("--count-only") { Description = "Print the number of keys alone." };
        var valueOnly = new Option<bool>("--print-value-only") { Description = "Print the values alone." };
        var command = new Command("get", "Print a key and its value (nothing when it does not exist), or with --prefix every matching key and value.")
        {
            key, prefix, consistency, revision, limit, keysOnly, countOnly, valueOnly,
        };
        command.Validators.Add(result =>
        {
            if (new[] { keysOnly, countOnly, valueOnly }.Count(o => result.GetValue(o)) > 1)
            {
                result.AddError("Choose one of --keys-only, --count-only and --print-value-only.");
            }
        });
        RangeRequest Request(ParseResult parse)
        {
            var start = KvBytes.From(parse.GetRequiredValue(key));
            return new RangeRequest(start)
            {
                RangeEnd = parse.GetValue(prefix) ? KeyRanges.PrefixEnd(start) : ReadOnlyMemory<byte>.Empty,
                Revision = parse.GetValue(revision),
                Limit = parse.GetValue(limit),
                KeysOnly = parse.GetValue(keysOnly),
                CountOnly = parse.GetValue(countOnly),
            };
        }

        CommandRunner.SetKvAction(command, async (context, cancellationToken) =>
        {
            var parse = context.Parse;
            var request = Request(parse);
            var (kvs, result) = await ReadAllAsync(context.Kv, request, ReadOptions.Call(parse, consistency), cancellationToken);
            Timings.Mark("range answered");
            Print(context.Output, parse.GetValue(valueOnly), request, kvs, result.Revision, result.Count);
            return ExitCodes.Ok;
        }, async (context, cancellationToken) =>
        {
            // The same range as one etcd call: the gateway pages through the store itself, at the first page's revision.
            var parse = context.Parse;
            var request = Request(parse);
            var answer = await context.Kv.RangeAsync(EtcdRequests.Range(request, ReadOptions.Call(parse, consistency)), cancellationToken);
            if (answer is null)
            {
                return null;
            }

            Print(context.Output, parse.GetValue(valueOnly), request, [.. answer.Kvs.Select(EtcdRequests.Entry)], answer.Header.Revision, answer.Count);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Print(CliOutput output, bool valueOnly, RangeRequest request, List<KeyValueEntry> kvs, long revision, long count)
    {
        if (output.IsJson)
        {
            output.Json(new JsonObject
            {
                ["revision"] = revision,
                ["count"] = count,
                ["more"] = !request.CountOnly && count > kvs.Count,
                ["kvs"] = CliOutput.Entries(kvs, request.KeysOnly),
            });
        }
        else if (request.CountOnly)
        {
            output.Line(count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            foreach (var kv in kvs)
            {
                output.KeyValue(kv, request.KeysOnly, valueOnly);
            }
        }
    }

    /// <summary>
    /// Every key-value of the range up to the request's limit, page after page at the first page's revision (the store
    /// bounds a page by count and bytes).
    /// </summary>
    private static async Task<(List<KeyValueEntry> Kvs, RangeResult First)> ReadAllAsync(KvClient kv, RangeRequest request, KvCallOptions call, CancellationToken cancellationToken)
    {
        var first = await kv.RangeAsync(request, call, cancellationToken);
        var kvs = new List<KeyValueEntry>(first.Kvs);
        var page = first;
        while (page.More && !request.CountOnly && page.Kvs.Count > 0 && (request.Limit == 0 || kvs.Count < request.Limit))
        {
            var next = new RangeRequest(After(page.Kvs[^1].Key))
            {
                RangeEnd = request.RangeEnd,
                Revision = request.Revision != 0 ? request.Revision : first.Revision,
                Limit = request.Limit == 0 ? 0 : request.Limit - kvs.Count,
                KeysOnly = request.KeysOnly,
            };
            page = await kv.RangeAsync(next, call, cancellationToken);
            kvs.AddRange(page.Kvs);
        }

        return (kvs, first);
    }

    /// <summary>The smallest key after <paramref name="key"/>.</summary>
    private static byte[] After(ReadOnlyMemory<byte> key) => [.. key.Span, 0];
}
