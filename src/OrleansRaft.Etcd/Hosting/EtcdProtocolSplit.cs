using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace OrleansRaft.Etcd.Hosting;

/// <summary>
/// gRPC (HTTP/2 cleartext, prior knowledge) and the JSON gateway (HTTP/1.1) on one port, as etcd serves both on its
/// client port. Kestrel without TLS serves one of the two per endpoint (there is no ALPN to choose by), so the etcd
/// endpoint serves HTTP/2, and a connection whose first bytes are not HTTP/2's connection preface is passed, byte for
/// byte both ways, to a second endpoint that serves HTTP/1.1 on a Unix domain socket of its own.
/// </summary>
public static class EtcdProtocolSplit
{
    private static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>
    /// Makes <paramref name="listen"/> the gateway's endpoint: HTTP/2 for gRPC, and HTTP/1.1 for the JSON gateway
    /// through a Unix domain socket it adds to the same Kestrel server (in the temporary folder; Kestrel removes it when it stops,
    /// and the next gateway to start removes those that killed processes left).
    /// </summary>
    public static ListenOptions UseOrleansRaftEtcdProtocols(this ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        RemoveSocketsOfEndedProcesses();
        var socket = Path.Combine(Path.GetTempPath(), $"{SocketPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
        listen.KestrelServerOptions.ListenUnixSocket(socket, http1 => http1.Protocols = HttpProtocols.Http1);
        listen.Protocols = HttpProtocols.Http2;
        listen.Use(next => connection => RouteAsync(connection, next, socket));
        return listen;
    }

    private const string SocketPrefix = "orleansraft-etcd-";

    /// <summary>
    /// Kestrel removes its socket when it stops, but a process that was killed leaves it behind: remove the sockets of
    /// processes that no longer run (a reused process id keeps its file, which is harmless).
    /// </summary>
    private static void RemoveSocketsOfEndedProcesses()
    {
        try
        {
            foreach (var path in Directory.EnumerateFiles(Path.GetTempPath(), SocketPrefix + "*.sock"))
            {
                var name = Path.GetFileName(path)[SocketPrefix.Length..];
                var dash = name.IndexOf('-', StringComparison.Ordinal);
                if (dash > 0 && int.TryParse(name.AsSpan(0, dash), out var pid) && !IsRunning(pid))
                {
                    File.Delete(path);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another process removed it first, or it is not ours to remove.
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task RouteAsync(ConnectionContext connection, ConnectionDelegate http2, string http1Socket)
    {
        var input = connection.Transport.Input;
        while (true)
        {
            var read = await input.ReadAsync(connection.ConnectionClosed);
            var buffer = read.Buffer;
            var length = (int)Math.Min(buffer.Length, Preface.Length);
            var head = buffer.Slice(0, length).ToArray();
            if (!Preface[..length].SequenceEqual(head))
            {
                input.AdvanceTo(buffer.Start);
                await SpliceAsync(connection, http1Socket);
                return;
            }

            if (length == Preface.Length)
            {
                input.AdvanceTo(buffer.Start);
                await http2(connection);
                return;
            }

            if (read.IsCompleted)
            {
                input.AdvanceTo(buffer.End);
                return;
            }

            // A part of the preface: nothing consumed, all of it examined, so that the next read waits for more.
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Pumps the connection to the HTTP/1.1 endpoint and back until either side ends.</summary>
    private static async Task SpliceAsync(ConnectionContext connection, string http1Socket)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(http1Socket), connection.ConnectionClosed);
        await using var server = new NetworkStream(socket, ownsSocket: false);
        try
        {
            var toServer = connection.Transport.Input.CopyToAsync(server, connection.ConnectionClosed);
            var toClient = server.CopyToAsync(connection.Transport.Output, connection.ConnectionClosed);
            await Task.WhenAny(toServer, toClient);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ConnectionResetException)
        {
            // Either side went away: the connection ends.
        }
        finally
        {
            await connection.Transport.Output.CompleteAsync();
            await connection.Transport.Input.CompleteAsync();
        }
    }
}
