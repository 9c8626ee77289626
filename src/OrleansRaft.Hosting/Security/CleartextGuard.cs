using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace OrleansRaft.Hosting.Security;

/// <summary>
/// In front of a TLS link's handshake: a peer whose first byte is not that of a TLS handshake record speaks cleartext
/// (an Orleans client or silo without TLS). It is dropped and logged as such, where the handshake alone would fail
/// with a debug-level note. Nothing is consumed, so a TLS peer's bytes reach the handshake untouched.
/// </summary>
internal static partial class CleartextGuard
{
    /// <summary>The content type of a TLS handshake record (RFC 8446, section 5.1), which every TLS client sends first.</summary>
    private const byte HandshakeRecord = 0x16;

    /// <summary>Guards the links of <paramref name="builder"/>; a peer silent for <paramref name="timeout"/> is dropped, as the handshake would drop it.</summary>
    public static void UseCleartextGuard(this IConnectionBuilder builder, ILogger logger, string link, TimeSpan timeout) =>
        builder.Use(next => context => GuardAsync(context, next, logger, link, timeout));

    private static async Task GuardAsync(ConnectionContext context, ConnectionDelegate next, ILogger logger, string link, TimeSpan timeout)
    {
        var input = context.Transport.Input;
        System.IO.Pipelines.ReadResult read;
        using (var bound = CancellationTokenSource.CreateLinkedTokenSource(context.ConnectionClosed))
        {
            bound.CancelAfter(timeout);
            try
            {
                read = await input.ReadAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                context.Abort(new ConnectionAbortedException($"No TLS handshake within {timeout} on {link}."));
                return;
            }
        }

        var buffer = read.Buffer;
        var first = buffer.IsEmpty ? (byte?)null : buffer.FirstSpan[0];
        input.AdvanceTo(buffer.Start, buffer.Start);
        if (first is null)
        {
            return;
        }

        if (first != HandshakeRecord)
        {
            CleartextRefused(logger, context.RemoteEndPoint?.ToString() ?? "an unknown address", link);
            context.Abort(new ConnectionAbortedException($"A cleartext peer on {link}, which requires TLS."));
            return;
        }

        await next(context);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS: refused a cleartext connection from {Remote} on {Link}: the link requires TLS.")]
    private static partial void CleartextRefused(ILogger logger, string remote, string link);
}
