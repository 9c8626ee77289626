using System.CommandLine;
using OrleansRaft.Security;

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
    /// <summary>The gateways' mutual TLS; null for cleartext links.</summary>
    public RaftTlsOptions? Tls { get; init; }

    /// <summary>Where <see cref="Tls"/> came from: the options, or cluster.json's path.</summary>
    public string? TlsSource { get; init; }

    /// <summary>The user to call as (<see cref="CliUser"/>), or null for nobody.</summary>
    public Client.KvUserCredentials? User { get; init; }

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

        var (tls, tlsSource) = ResolveTls(parse, file, filePath);
        return new ConnectionSettings(
            gateways,
            source,
            parse.GetValue(GlobalOptions.ClusterId) ?? file?.ClusterId ?? GlobalOptions.DefaultId,
            parse.GetValue(GlobalOptions.ServiceId) ?? file?.ServiceId ?? GlobalOptions.DefaultId,
            parse.GetValue(GlobalOptions.Group) ?? file?.Group ?? GlobalOptions.DefaultGroup,
            parse.GetValue(GlobalOptions.Timeout) ?? GlobalOptions.DefaultTimeout,
            file,
            filePath)
        {
            Tls = tls,
            TlsSource = tlsSource,
            User = CliUser.Resolve(parse),
        };
    }

    /// <summary>TLS from --tls-cert, --tls-key and --tls-ca, else from cluster.json's tls object, else none.</summary>
    private static (RaftTlsOptions? Tls, string? Source) ResolveTls(ParseResult parse, ClusterFile? file, string filePath)
    {
        var password = Environment.GetEnvironmentVariable(GlobalOptions.TlsPasswordVariable) is { Length: > 0 } p ? p : null;
        if (parse.GetValue(GlobalOptions.TlsCertificate) is { Length: > 0 } certificate)
        {
            var authorities = parse.GetValue(GlobalOptions.TlsCa) is { Length: > 0 } list
                ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : throw CliException.Usage("--tls-cert needs --tls-ca: the PEM file of the cluster's authority, whose signature the gateways must present.");
            return (Options(certificate, parse.GetValue(GlobalOptions.TlsKey), password, authorities), "--tls-cert");
        }

        if (parse.GetValue(GlobalOptions.TlsKey) is { Length: > 0 } || parse.GetValue(GlobalOptions.TlsCa) is { Length: > 0 })
        {
            throw CliException.Usage("--tls-key and --tls-ca go with --tls-cert, the client certificate.");
        }

        if (file?.Tls is { } fromFile)
        {
            return fromFile.CertificatePath is { Length: > 0 } path
                ? (Options(path, fromFile.KeyPath, password, fromFile.TrustedCaPaths ?? []), filePath)
                : throw new CliException(ExitCodes.Unreachable, $"The tls object of {filePath} names no certificatePath.");
        }

        return (null, null);
    }

    private static RaftTlsOptions Options(string certificate, string? key, string? password, string[] authorities)
    {
        var options = new RaftTlsOptions { CertificatePath = certificate, KeyPath = key, CertificatePassword = password };
        foreach (var authority in authorities)
        {
            options.TrustedCaPaths.Add(authority);
        }

        return options;
    }

    private static string[] Split(string list, string source)
    {
        var gateways = Cli.Gateways.Split(list);
        return gateways.Length > 0 ? gateways : throw CliException.Usage($"{source} lists no gateway: expected HOST:PORT[,HOST:PORT...].");
    }
}
