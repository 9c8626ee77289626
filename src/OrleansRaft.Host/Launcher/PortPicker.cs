using System.Net;
using System.Net.Sockets;

namespace OrleansRaft.Host.Launcher;

/// <summary>
/// Loopback ports for the silos. A port found free may still be taken before the silo binds it; the silo then fails
/// to start, and the launcher says so.
/// </summary>
internal sealed class PortPicker(bool systemPicked)
{
    private readonly HashSet<int> _taken = [];

    /// <summary>The first free port from <paramref name="from"/> up, or one the system picks.</summary>
    public int Next(int from)
    {
        if (systemPicked)
        {
            while (true)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (_taken.Add(port))
                {
                    return port;
                }
            }
        }

        for (var port = from; port < IPEndPoint.MaxPort; port++)
        {
            if (!_taken.Contains(port) && IsFree(port))
            {
                _taken.Add(port);
                return port;
            }
        }

        throw new InvalidOperationException($"No free loopback port from {from} up.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
