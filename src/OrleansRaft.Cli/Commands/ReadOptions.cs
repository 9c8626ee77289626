using System.CommandLine;
using OrleansRaft.Client;

namespace OrleansRaft.Cli.Commands;

/// <summary>Options shared by the commands that read.</summary>
internal static class ReadOptions
{
    public static Option<string> Consistency() => new Option<string>("--consistency")
    {
        Description = "linearizable: the read sees every write acknowledged before it (asks the leader). serializable: any member answers from its own state, which may lag.",
        HelpName = "linearizable|serializable",
        DefaultValueFactory = _ => "linearizable",
    }.AcceptOnlyFromAmong("linearizable", "serializable");

    public static Option<long> Revision() => Numbers.Option("--rev", "Read the store as it was at this revision (0: the current one).", 0);

    public static KvCallOptions Call(ParseResult parse, Option<string> consistency) => new()
    {
        Consistency = parse.GetValue(consistency) == "serializable" ? ReadConsistency.Serializable : ReadConsistency.Linearizable,
    };
}
