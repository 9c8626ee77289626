using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json.Nodes;
using OrleansRaft.KeyValue;

namespace OrleansRaft.Cli.Commands;

/// <summary>
/// <c>txn cas</c> and <c>txn cad</c>: compare-and-swap and compare-and-delete on one key, as one transaction. The
/// expectation is exactly one of the value, the version, the mod revision, or that the key does not exist. When it
/// holds the write applies (prints OK, exit 0); when not nothing changes (prints FAILED and the key as it is, exit 4).
/// </summary>
internal static class TxnCommand
{
    public static Command Create()
    {
        var command = new Command("txn", "Conditional writes on one key: compare-and-swap (cas) and compare-and-delete (cad).");
        command.Subcommands.Add(Cas());
        command.Subcommands.Add(Cad());
        return command;
    }

    private static Command Cas()
    {
        var key = new Argument<string>("KEY") { Description = "The key (UTF-8)." };
        var value = new Argument<string>("VALUE") { Description = "The new value (UTF-8)." };
        var lease = Numbers.Option("--lease", "Attach the key to this lease.", 1, "ID");
        var expect = new Expectation();
        var command = new Command(
            "cas",
            "Set KEY to VALUE only if the key is as expected (give exactly one --expect-* option). Prints OK, or FAILED and the key as it is (exit 4).")
        {
            key, value, lease,
        };
        expect.AddTo(command);
        CommandRunner.SetKvAction(command, (context, cancellationToken) =>
        {
            var keyBytes = KvBytes.From(context.Parse.GetRequiredValue(key));
            var put = new PutRequest(keyBytes, KvBytes.From(context.Parse.GetRequiredValue(value))) { Lease = context.Parse.GetValue(lease) };
            return RunAsync(context, keyBytes, expect.Compare(context.Parse, keyBytes), put, cancellationToken);
        });
        return command;
    }

    private static Command Cad()
    {
        var key = new Argument<string>("KEY") { Description = "The key (UTF-8)." };
        var expect = new Expectation();
        var command = new Command(
            "cad",
            "Delete KEY only if it is as expected (give exactly one --expect-* option). Prints OK, or FAILED and the key as it is (exit 4).")
        {
            key,
        };
        expect.AddTo(command);
        CommandRunner.SetKvAction(command, (context, cancellationToken) =>
        {
            var keyBytes = KvBytes.From(context.Parse.GetRequiredValue(key));
            return RunAsync(context, keyBytes, expect.Compare(context.Parse, keyBytes), new DeleteRangeRequest(keyBytes), cancellationToken);
        });
        return command;
    }

    /// <summary>The write on success; on failure, a read of the key, so that the caller sees why and can retry.</summary>
    private static async Task<int> RunAsync(KvContext context, byte[] key, Compare compare, KvRequest write, CancellationToken cancellationToken)
    {
        var result = await context.Kv.TxnAsync(
            new TxnRequest { Compares = [compare], Success = [write], Failure = [new RangeRequest(key)] },
            cancellationToken: cancellationToken);
        var current = result.Succeeded ? null : ((RangeResult)result.Responses[0]).Kvs.FirstOrDefault();
        if (context.Output.IsJson)
        {
            context.Output.Json(new JsonObject
            {
                ["succeeded"] = result.Succeeded,
                ["revision"] = result.Revision,
                ["current"] = current is null ? null : CliOutput.Entry(current),
            });
        }
        else
        {
            context.Output.Line(result.Succeeded ? "OK" : "FAILED");
            if (current is not null)
            {
                context.Output.KeyValue(current);
            }
        }

        return result.Succeeded ? ExitCodes.Ok : ExitCodes.CompareFailed;
    }

    /// <summary>The <c>--expect-*</c> options of a conditional write: exactly one must be given.</summary>
    private sealed class Expectation
    {
        private readonly Option<string?> _value = new("--expect-value") { Description = "The key exists with this value.", HelpName = "VALUE" };
        private readonly Option<long> _version = Numbers.Option("--expect-version", "The key's version is N (the number of puts since its creation; 0: it does not exist).", 0);
        private readonly Option<long> _modRevision = Numbers.Option("--expect-mod-revision", "The key was last written at revision N (0: it does not exist).", 0);
        private readonly Option<bool> _absent = new("--expect-absent") { Description = "The key does not exist." };

        public void AddTo(Command command)
        {
            command.Options.Add(_value);
            command.Options.Add(_version);
            command.Options.Add(_modRevision);
            command.Options.Add(_absent);
            command.Validators.Add(result =>
            {
                Option[] given = [.. new Option[] { _value, _version, _modRevision, _absent }.Where(o => result.GetResult(o) is { Implicit: false })];
                if (given.Length != 1)
                {
                    result.AddError($"txn {result.Command.Name} needs exactly one of --expect-value, --expect-version, --expect-mod-revision and --expect-absent"
                        + (given.Length == 0 ? "." : $", not {string.Join(" and ", given.Select(o => o.Name))}."));
                }
            });
        }

        public Compare Compare(ParseResult parse, byte[] key) =>
            parse.GetResult(_value) is { Implicit: false } ? KeyValue.Compare.ForValue(key, CompareOperator.Equal, KvBytes.From(parse.GetValue(_value) ?? string.Empty))
            : parse.GetResult(_version) is { Implicit: false } ? KeyValue.Compare.ForVersion(key, CompareOperator.Equal, parse.GetValue(_version))
            : parse.GetResult(_modRevision) is { Implicit: false } ? KeyValue.Compare.ForModRevision(key, CompareOperator.Equal, parse.GetValue(_modRevision))
            : KeyValue.Compare.ForVersion(key, CompareOperator.Equal, 0);
    }
}
