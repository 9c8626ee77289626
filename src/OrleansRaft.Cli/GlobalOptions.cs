using System.CommandLine;

namespace OrleansRaft.Cli;

/// <summary>The options every command accepts (before or after the command's name).</summary>
internal static class GlobalOptions
{
    public const string GatewaysVariable = "ORLEANSRAFT_GATEWAYS";

    /// <summary>The password of a PKCS#12 --tls-cert (or of an encrypted PEM key): a secret, so never an option, which any process could read.</summary>
    public const string TlsPasswordVariable = "ORLEANSRAFT_TLS_PASSWORD";
    public const string DefaultDataDir = ".orleansraft";
    public const string DefaultId = "orleansraft";
    public const string DefaultGroup = "kv";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static readonly Option<string?> GatewayList = new("--gateways")
    {
        Description = $"Gateways to connect to, HOST:PORT[,HOST:PORT...]. Default: ${GatewaysVariable}, else the gateways in {{data-dir}}/{ClusterFile.FileName}.",
        HelpName = "HOST:PORT,...",
        Recursive = true,
    };

    public static readonly Option<string> DataDir = new("--data-dir")
    {
        Description = $"The local cluster's data folder, whose {ClusterFile.FileName} tells where the cluster listens.",
        HelpName = "DIR",
        DefaultValueFactory = _ => DefaultDataDir,
        Recursive = true,
    };

    public static readonly Option<string?> Group = new("--group")
    {
        Description = $"The key-value group (keyspace). Default: the group in {ClusterFile.FileName}, else '{DefaultGroup}'.",
        HelpName = "ID",
        Recursive = true,
    };

    public static readonly Option<string?> ClusterId = new("--cluster-id")
    {
        Description = $"The Orleans cluster id. Default: the one in {ClusterFile.FileName}, else '{DefaultId}'.",
        HelpName = "ID",
        Recursive = true,
    };

    public static readonly Option<string?> ServiceId = new("--service-id")
    {
        Description = $"The Orleans service id. Default: the one in {ClusterFile.FileName}, else '{DefaultId}'.",
        HelpName = "ID",
        Recursive = true,
    };

    public static readonly Option<TimeSpan?> Timeout = new("--timeout")
    {
        Description = "How long to wait for the cluster: to connect, and for each request (retries included). 10s, 500ms, 1m, or seconds. Default: 10s.",
        HelpName = "DURATION",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (Durations.TryParse(text, out var duration))
            {
                return duration;
            }

            result.AddError($"Bad --timeout '{text}': expected a positive duration such as 10s, 500ms or 2m (at most a day).");
            return default;
        },
        Recursive = true,
    };

    public static readonly Option<string?> TlsCertificate = new("--tls-cert")
    {
        Description = $"The client certificate of the gateways' mutual TLS: PEM (with --tls-key) or PKCS#12 (password in ${TlsPasswordVariable}). Default: the tls object of {ClusterFile.FileName}; without either, cleartext.",
        HelpName = "FILE",
        Recursive = true,
    };

    public static readonly Option<string?> TlsKey = new("--tls-key")
    {
        Description = "The PEM private key of --tls-cert, unless the certificate file holds it.",
        HelpName = "FILE",
        Recursive = true,
    };

    public static readonly Option<string?> TlsCa = new("--tls-ca")
    {
        Description = "The PEM files of the cluster's authorities, FILE[,FILE] (two while the authority is rotated); needed with --tls-cert.",
        HelpName = "FILE,...",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print the answer as JSON (one object per line for watch and keepalive).",
        Recursive = true,
    };

    public static IEnumerable<Option> All => [GatewayList, DataDir, Group, ClusterId, ServiceId, Timeout, TlsCertificate, TlsKey, TlsCa, Json, CliUser.Option, Transport.Transports.Option];
}
