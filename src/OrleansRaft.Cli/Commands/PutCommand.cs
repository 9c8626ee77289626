using System.CommandLine;
using System.Text.Json.Nodes;
using OrleansRaft.KeyValue;

namespace OrleansRaft.Cli.Commands;

/// <summary><c>put KEY [VALUE]</c>: sets a key; the value comes from standard input when left out.</summary>
internal static class PutCommand
{
    /// <summary>The most the CLI reads from standard input; the store's own bound (1 MiB by default) is lower.</summary>
    private const int MaxStdinBytes = 64 << 20;

    public static Command Create()
    {
        var key = new Argument<string>("KEY") { Description = "The key (UTF-8)." };
        var value = new Argument<string?>("VALUE")
        {
            Description = "The value (UTF-8). Left out, the value is read from standard input, byte for byte.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var lease = Numbers.Option("--lease", "Attach the key to this lease (see 'lease grant'); the key is deleted when the lease ends.", 1, "ID");
        var prevKv = new Option<bool>("--prev-kv") { Description = "Also print the key-value as it was before." };
        var command = new Command("put", "Set a key's value. Prints OK (and with --prev-kv the previous key and value).") { key, value, lease, prevKv };
        CommandRunner.SetKvAction(command, async (context, cancellationToken) =>
        {
            var bytes = context.Parse.GetValue(value) is { } text ? KvBytes.From(text) : await ReadStandardInputAsync(cancellationToken);
            var request = new PutRequest(KvBytes.From(context.Parse.GetRequiredValue(key)), bytes)
            {
                Lease = context.Parse.GetValue(lease),
                PrevKv = context.Parse.GetValue(prevKv),
            };
            var result = await context.Kv.PutAsync(request, cancellationToken: cancellationToken);
            if (context.Output.IsJson)
            {
                context.Output.Json(new JsonObject
                {
                    ["revision"] = result.Revision,
                    ["prevKv"] = result.PrevKv is { } prev ? CliOutput.Entry(prev) : null,
                });
            }
            else
            {
                context.Output.Line("OK");
                if (result.PrevKv is { } prev)
                {
                    context.Output.KeyValue(prev);
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<byte[]> ReadStandardInputAsync(CancellationToken cancellationToken)
    {
        if (!Console.IsInputRedirected)
        {
            throw CliException.Usage("put needs a VALUE, or a value piped into standard input (orleansraft put KEY < file).");
        }

        await using var input = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await input.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxStdinBytes)
            {
                throw CliException.Usage($"The value on standard input exceeds {MaxStdinBytes >> 20} MiB; the store takes far less (1 MiB by default).");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
