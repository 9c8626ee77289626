using System.CommandLine;

namespace OrleansRaft.Cli.Transport;

/// <summary>
/// Which connection a command uses. The key-value commands that have an etcd form (see <see cref="EtcdKv"/>) go through
/// the cluster's etcd gateways when <c>cluster.json</c> advertises them: one HTTP/2 call costs far less start-up than
/// an Orleans client. Everything else, and every answer the gateways do not give plainly, goes through the Orleans
/// client, so that messages and exit codes are the Orleans path's. This is the one place that chooses.
/// </summary>
internal static class Transports
{
    public const string Auto = "auto";
    public const string Orleans = "orleans";
    public const string Etcd = "etcd";

    public static readonly Option<string> Option = new Option<string>("--transport")
    {
        Description = $"auto: key-value commands (get) go through the etcd gateways that {ClusterFile.FileName} lists, the rest through the Orleans gateways. "
            + "orleans: everything through the Orleans gateways. etcd: as auto, but fail when there are no etcd gateways to use.",
        HelpName = "auto|orleans|etcd",
        DefaultValueFactory = _ => Auto,
        Recursive = true,
    }.AcceptOnlyFromAmong(Auto, Orleans, Etcd);

    /// <summary>
    /// The etcd gateways to try for this command, or null for the Orleans client. The gateways count only when the
    /// Orleans gateways came from the same <c>cluster.json</c> and the cluster and service ids were not overridden:
    /// otherwise the user named another cluster than the one the file's etcd gateways serve. A command run as a user
    /// goes through the Orleans client.
    /// </summary>
    public static IReadOnlyList<Uri>? EtcdEndpoints(ParseResult parse, ConnectionSettings settings)
    {
        var choice = parse.GetValue(Option) ?? Auto;
        if (choice == Orleans)
        {
            return null;
        }

        // A user's credential is checked by the silos for Orleans clients (KvClient's tokens); the etcd path would need
        // an etcd login of its own, so a command run as a user goes through the Orleans client, whatever the choice,
        // as any answer the etcd path cannot give plainly does.
        if (settings.User is not null)
        {
            return null;
        }

        var sameCluster = settings.File is { } file
            && settings.GatewaySource == settings.FilePath
            && settings.ClusterId == (file.ClusterId ?? GlobalOptions.DefaultId)
            && settings.ServiceId == (file.ServiceId ?? GlobalOptions.DefaultId);
        if (sameCluster && settings.File!.EtcdEndpoints is { Length: > 0 } listed)
        {
            return [.. listed.Select(e => Url(e, settings.FilePath))];
        }

        return choice == Etcd
            ? throw CliException.Usage($"--transport etcd needs the etcd gateways of {settings.FilePath} ('etcdEndpoints'), and no --gateways, ${GlobalOptions.GatewaysVariable}, --cluster-id or --service-id naming another cluster.")
            : null;
    }

    /// <summary>An endpoint as the launcher writes it (<c>host:port</c>), or a URL; a bare endpoint is cleartext HTTP/2.</summary>
    private static Uri Url(string endpoint, string source)
    {
        var text = endpoint.Contains("://", StringComparison.Ordinal) ? endpoint : "http://" + endpoint;
        return Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new CliException(ExitCodes.Unreachable, $"Bad etcd endpoint '{endpoint}' in {source}: expected HOST:PORT or http(s)://HOST:PORT.");
    }
}
