using System.Buffers.Binary;
using System.Net.Sockets;
using OrleansRaft.Etcd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansRaft.Etcd.Tests;

/// <summary>
/// How a server ends an HTTP/2 connection whose client closes its side (what a proxy in front of a client does when
/// the client goes), seen on a raw socket: etcd 3.4 closes its side too (end of stream), and so must the gateway,
/// rather than reset the connection. A connection closed with a stream still open (a watch) is reset by Kestrel; the
/// README lists it among the differences; <see cref="Before.OpenAWatch"/> reproduces it as a case of the theory.
/// </summary>
[Collection(EtcdGatewayCollection.Name)]
public sealed class ConnectionCloseTests(EtcdGatewayCluster fixture, RealEtcd etcd, ITestOutputHelper output) : IClassFixture<RealEtcd>
{
    /// <summary>What the client does before it shuts its side.</summary>
    public enum Before
    {
        Nothing,
        GoAway,
        OpenAWatch,
    }

    [Theory]
    [InlineData(Before.Nothing)]
    [InlineData(Before.GoAway)]
    public async Task A_connection_the_client_closes_is_closed_not_reset_as_by_etcd(Before before)
    {
        var expected = await CloseAsync(new Uri(etcd.Endpoint), before);
        output.WriteLine($"etcd: {expected}");
        Assert.Equal("end of stream", expected);
        Assert.Equal(expected, await CloseAsync(new Uri(fixture.Endpoint), before));
    }

    /// <summary>
    /// Opens an HTTP/2 connection (preface and empty SETTINGS), waits for the server's first frames, optionally sends
    /// GOAWAY, shuts its sending side, and reads what follows until the server ends the connection.
    /// </summary>
    private static async Task<string> CloseAsync(Uri endpoint, Before before)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var bound = new CancellationTokenSource(EtcdGatewayCluster.Bound);
        await socket.ConnectAsync(endpoint.Host, endpoint.Port, bound.Token);
        await socket.SendAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray(), bound.Token);
        await socket.SendAsync(Frame(type: 4, payload: []), bound.Token);
        var buffer = new byte[64 * 1024];
        if (await socket.ReceiveAsync(buffer, bound.Token) == 0)
        {
            return "closed before its SETTINGS";
        }

        if (before == Before.GoAway)
        {
            await socket.SendAsync(Frame(type: 7, payload: new byte[8]), bound.Token);
        }

        if (before == Before.OpenAWatch)
        {
            // Stream 1: a Watch call whose first request watches key "a"; the server answers with its created response.
            await socket.SendAsync(Frame(type: 1, payload: WatchHeaders(endpoint.Authority), flags: 4, stream: 1), bound.Token);
            await socket.SendAsync(Frame(type: 0, payload: [0, 0, 0, 0, 5, 0x0a, 3, 0x0a, 1, (byte)'a'], stream: 1), bound.Token);
            var received = 0;
            while (received < 9 + 1 + 9)
            {
                // At least the response's HEADERS and a DATA frame.
                var read = await socket.ReceiveAsync(buffer, bound.Token);
                if (read == 0)
                {
                    return "closed before the watch answered";
                }

                received += read;
            }
        }

        socket.Shutdown(SocketShutdown.Send);
        try
        {
            while (await socket.ReceiveAsync(buffer, bound.Token) > 0)
            {
            }

            return "end of stream";
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return "reset";
        }
    }

    /// <summary>The request headers of etcd's Watch call, HPACK literals without indexing or Huffman coding.</summary>
    private static byte[] WatchHeaders(string authority)
    {
        var block = new List<byte>();
        foreach (var (name, value) in new[]
        {
            (":method", "POST"), (":scheme", "http"), (":path", "/etcdserverpb.Watch/Watch"), (":authority", authority),
            ("content-type", "application/grpc"), ("te", "trailers"),
        })
        {
            block.Add(0);
            block.Add((byte)name.Length);
            block.AddRange(System.Text.Encoding.ASCII.GetBytes(name));
            block.Add((byte)value.Length);
            block.AddRange(System.Text.Encoding.ASCII.GetBytes(value));
        }

        return [.. block];
    }

    /// <summary>An HTTP/2 frame: 24-bit length, type, flags, stream id.</summary>
    private static byte[] Frame(byte type, byte[] payload, byte flags = 0, int stream = 0)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame, 9);
        return frame;
    }
}
