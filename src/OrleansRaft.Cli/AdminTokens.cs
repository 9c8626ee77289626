using System.CommandLine;

namespace OrleansRaft.Cli;

/// <summary>
/// Where admin commands (<c>member</c>, <c>group create</c>, <c>group rm</c>) find the admin token configured on the
/// silos: <c>--admin-token</c>, else $ORLEANSRAFT_ADMIN_TOKEN, else the file <c>admin-token</c> next to cluster.json in
/// the data directory (written by the local launcher).
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

    /// <summary>The token from the option, the environment, or the launcher's file; a usage error when none is found.</summary>
    public static string Resolve(CommandContext context, Option<string?> option, string commands)
    {
        var token = context.Parse.GetValue(option);
        if (string.IsNullOrEmpty(token))
        {
            token = Environment.GetEnvironmentVariable(TokenVariable);
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
            ? throw new CliException(ExitCodes.Usage, $"{commands} need the admin token: pass --admin-token, or set ${TokenVariable}.")
            : token;
    }
}
