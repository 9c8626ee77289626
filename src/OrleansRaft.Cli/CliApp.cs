using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using OrleansRaft.Cli.Commands;

namespace OrleansRaft.Cli;

/// <summary>The <c>orleansraft</c> command line: its commands, and how usage errors are reported.</summary>
internal static class CliApp
{
    public static RootCommand Create()
    {
        var root = new RootCommand(
            "orleansraft: the command line of the OrleansRaft key-value store and its Raft groups.\n"
            + "It connects to the cluster's gateways (--gateways, $ORLEANSRAFT_GATEWAYS, or .orleansraft/cluster.json).\n"
            + "Exit codes: 0 ok, 1 the request failed, 2 bad usage, 3 cluster unreachable, 4 a txn's comparison failed.");
        foreach (var option in GlobalOptions.All)
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(PutCommand.Create());
        root.Subcommands.Add(GetCommand.Create());
        root.Subcommands.Add(DelCommand.Create());
        root.Subcommands.Add(LsCommand.Create());
        root.Subcommands.Add(WatchCommand.Create());
        root.Subcommands.Add(TxnCommand.Create());
        root.Subcommands.Add(LeaseCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(MemberCommand.Create());
        root.Subcommands.Add(GroupCommand.Create());
        RequireSubcommand(root);
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Create().Parse(args);
        if (parse.Errors.Count == 0 || parse.Action is HelpAction)
        {
            // Ctrl-C cancels the command's token; the command then has this long to close its connection and exit
            // with its own code (0 for watch and keepalive), before the process ends with 130 regardless.
            return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(5) });
        }

        foreach (var error in parse.Errors)
        {
            await CommandRunner.WriteErrorAsync(error.Message);
        }

        await Console.Error.WriteLineAsync($"Run '{CommandPath(parse.CommandResult)} --help' for usage.");
        return ExitCodes.Usage;
    }

    /// <summary>A command that only groups others (the root, txn, lease) shows its help and fails when run alone.</summary>
    private static void RequireSubcommand(Command command)
    {
        if (command.Subcommands.Count == 0)
        {
            return;
        }

        command.SetAction(async parse =>
        {
            await CommandRunner.WriteErrorAsync($"'{CommandPath(parse.CommandResult)}' needs a command: {string.Join(", ", command.Subcommands.Select(c => c.Name))}.");
            await Console.Error.WriteLineAsync($"Run '{CommandPath(parse.CommandResult)} --help' for usage.");
            return ExitCodes.Usage;
        });
        foreach (var sub in command.Subcommands)
        {
            RequireSubcommand(sub);
        }
    }

    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? result = command; result is CommandResult c; result = c.Parent)
        {
            names.Add(c.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
