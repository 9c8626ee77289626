using System.CommandLine;
using OrleansRaft.Client;

namespace OrleansRaft.Cli;

/// <summary>
/// The user the CLI calls as while a group's auth is enabled, as etcdctl's <c>--user name:password</c>: the option,
/// else $ORLEANSRAFT_USER (better: other local users can read a process's command line, not its environment). The
/// password is sent to a silo to be checked and is never printed.
/// </summary>
internal static class CliUser
{
    public const string UserVariable = "ORLEANSRAFT_USER";

    public static readonly Option<string?> Option = new("--user")
    {
        Description = $"Call as this user of the group's auth (etcd's users and roles): NAME:PASSWORD. Default: ${UserVariable}. "
            + "Admin commands use it, as a user with the root role of the silos' admin group (--group, default kv), when no admin token is given.",
        HelpName = "NAME:PASSWORD",
        Recursive = true,
    };

    public static KvUserCredentials? Resolve(ParseResult parse)
    {
        var (text, source) = parse.GetValue(Option) is { Length: > 0 } given ? (given, "--user")
            : Environment.GetEnvironmentVariable(UserVariable) is { Length: > 0 } variable ? (variable, UserVariable)
            : (null, "");
        if (text is null)
        {
            return null;
        }

        try
        {
            return KvUserCredentials.Parse(text);
        }
        catch (FormatException)
        {
            // The text holds a password: the message must not repeat it.
            throw CliException.Usage($"Bad {source}: expected NAME:PASSWORD.");
        }
    }
}
