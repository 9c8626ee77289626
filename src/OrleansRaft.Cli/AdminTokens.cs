using System.CommandLine;
using OrleansRaft.Client;

namespace OrleansRaft.Cli;

/// <summary>
/// Where admin commands (<c>member</c>, <c>group create</c>, <c>group rm</c>) find the admin token configured on the
/// silos: <c>--admin-token</c>, else $ORLEANSRAFT_ADMIN_TOKEN, else the file <c>admin-token</c> next to cluster.json in
/// the data directory (written by the local launcher). Without an admin token in the option or the environment, a
/// <c>--user</c> comes before the launcher's file: the call is then made as that user, whom the silos let in while it
/// holds the root role of their admin group.
/// </summary>
internal static class AdminTokens
{
    public const string TokenVariable = "ORLEANSRAFT_ADMIN_TOKEN";
    public const string TokenFileName = "admin-token";

    /// <summary>A new <c>--admin-token</c> option, for one command and its subcommands.</summary>
    public static Option<string?> CreateOption() => new("--admin-token")
    {
        Description = $"The admin token configured on the silos (Raft:AdminToken). Default: ${TokenVariable}, else {GlobalOptions.DefaultDataDir}/{TokenFileName}.",
        Recursive = true,
    };

    /// <summary>
    /// The token from the option, the environment, or the launcher's file; null when the command acts as
    /// <c>--user</c> instead; a usage error when there is neither.
    /// </summary>
    public static string? Resolve(CommandContext context, Option<string?> option, string commands)
    {
        var token = context.Parse.GetValue(option);
        if (string.IsNullOrEmpty(token))
        {
            token = Environment.GetEnvironmentVariable(TokenVariable);
        }

        if (string.IsNullOrEmpty(token) && context.Settings.User is not null)
        {
            return null;
        }

        if (string.IsNullOrEmpty(token))
        {
            var file = Path.Combine(context.Parse.GetValue(GlobalOptions.DataDir) ?? GlobalOptions.DefaultDataDir, TokenFileName);
            if (File.Exists(file))
            {
                token = File.ReadAllText(file).Trim();
            }
        }

        return string.IsNullOrEmpty(token)
            ? throw new CliException(ExitCodes.Usage, $"{commands} need the admin token: pass --admin-token, or set ${TokenVariable}. Or call as a user with the root role (--user).")
            : token;
    }

    /// <summary>An admin with the token <see cref="Resolve"/> finds, or one that calls as <c>--user</c>.</summary>
    public static RaftGroupAdmin Admin(CommandContext context, Option<string?> option, string commands, TimeSpan timeout) =>
        Resolve(context, option, commands) is { } token
            ? new RaftGroupAdmin(context.Connection.Client, token, timeout)
            : new RaftGroupAdmin(context.Connection.Client, context.Settings.User!, context.Settings.Group, timeout);
}
