using System.CommandLine;

namespace OrleansRaft.Cli;

/// <summary>
/// Where the cluster is and how to talk to it, resolved from the command line first, then the environment, then
/// <c>{data-dir}/cluster.json</c>, then the defaults.
/// </summary>
internal sealed record ConnectionSettings(
    IReadOnlyList<string> Gateways,
    string GatewaySource,
    string ClusterId,
    string ServiceId,
    string Group,
    TimeSpan Timeout,
    ClusterFile? File,
    string FilePath)
{
    public static ConnectionSettings Resolve(ParseResult parse)
    {
        var dataDir = parse.GetValue(GlobalOptions.DataDir) ?? GlobalOptions.DefaultDataDir;
        var file = ClusterFile.TryRead(dataDir, out var filePath);

        IReadOnlyList<string> gateways;
        string source;
        if (parse.GetValue(GlobalOptions.GatewayList) is { } option)
        {
            (gateways, source) = (Split(option, "--gateways"), "--gateways");
        }
        else if (Environment.GetEnvironmentVariable(GlobalOptions.GatewaysVariable) is { Length: > 0 } variable)
        {
            (gateways, source) = (Split(variable, GlobalOptions.GatewaysVariable), GlobalOptions.GatewaysVariable);
        }
        else if (file?.Gateways is { Length: > 0 } listed)
        {
            (gateways, source) = (listed, filePath);
        }
        else
        {
            var why = file is null ? $"there is no {filePath}" : $"{filePath} lists no gateways";
            throw new CliException(
                ExitCodes.Unreachable,
                $"No cluster to connect to: {why}. Start the local cluster (dotnet run --project src/OrleansRaft.Host), "
                + $"pass --gateways HOST:PORT[,...], set {GlobalOptions.GatewaysVariable}, or point --data-dir at the cluster's data folder.");
        }

        return new ConnectionSettings(
            gateways,
            source,
            parse.GetValue(GlobalOptions.ClusterId) ?? file?.ClusterId ?? GlobalOptions.DefaultId,
            parse.GetValue(GlobalOptions.ServiceId) ?? file?.ServiceId ?? GlobalOptions.DefaultId,
            parse.GetValue(GlobalOptions.Group) ?? file?.Group ?? GlobalOptions.DefaultGroup,
            parse.GetValue(GlobalOptions.Timeout) ?? GlobalOptions.DefaultTimeout,
            file,
            filePath);
    }

    private static string[] Split(string list, string source)
    {
        var gateways = Cli.Gateways.Split(list);
        return gateways.Length > 0 ? gateways : throw CliException.Usage($"{source} lists no gateway: expected HOST:PORT[,HOST:PORT...].");
    }
}
