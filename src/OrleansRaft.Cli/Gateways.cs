using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OrleansRaft.Cli;

/// <summary>Gateway addresses as the user writes them: <c>host:port</c>, <c>[v6]:port</c>, comma separated.</summary>
internal static class Gateways
{
    public static string[] Split(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Resolves one gateway; a host name resolves to its first IPv4 address, else its first address.</summary>
    public static IPEndPoint Resolve(string gateway, string source)
    {
        if (IPEndPoint.TryParse(gateway, out var endpoint) && endpoint.Port != 0 && gateway.Contains(':', StringComparison.Ordinal))
        {
            return endpoint;
        }

        var colon = gateway.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(gateway.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > IPEndPoint.MaxPort)
        {
            throw new CliException(ExitCodes.Usage, $"Bad gateway '{gateway}' in {source}: expected HOST:PORT, for example 127.0.0.1:30000.");
        }

        var host = gateway[..colon];
        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(host);
        }
        catch (SocketException e)
        {
            throw new CliException(ExitCodes.Unreachable, $"Cannot resolve gateway host '{host}' (from {source}): {e.Message}");
        }

        var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new CliException(ExitCodes.Unreachable, $"Gateway host '{host}' (from {source}) has no address.");
        return new IPEndPoint(address, port);
    }
}
