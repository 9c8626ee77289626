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

    public static void UseCleartextGuard(this IConnectionBuilder builder, ILogger logger, string link) =>
        builder.Use(next => context => GuardAsync(context, next, logger, link));

    private static async Task GuardAsync(ConnectionContext context, ConnectionDelegate next, ILogger logger, string link)
    {
        var input = context.Transport.Input;
        var read = await input.ReadAsync(context.ConnectionClosed);
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
