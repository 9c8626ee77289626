using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrleansRaft.Cli;

/// <summary>
/// The TLS failures the Orleans client logs while it connects (a gateway's certificate refused, a handshake the gateway
/// broke off), kept so that "cannot reach the cluster" can say why. Everything else the client logs is dropped, as
/// before: the command's output is its answer.
/// </summary>
internal sealed class TlsFailures : ILoggerProvider
{
    private const int Kept = 8;

    private readonly ConcurrentQueue<string> _failures = new();

    /// <summary>The latest failure, or null when TLS logged none.</summary>
    public string? Last => _failures.LastOrDefault();

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("OrleansRaft.Security", StringComparison.Ordinal) || categoryName.StartsWith("Orleans.Connections.Security", StringComparison.Ordinal)
            ? new Logger(this)
            : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private void Add(string failure)
    {
        _failures.Enqueue(failure);
        while (_failures.Count > Kept)
        {
            _failures.TryDequeue(out _);
        }
    }

    private sealed class Logger(TlsFailures owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var message = formatter(state, exception);
                owner.Add(exception is null ? message : $"{message}: {Root(exception).Message.ReplaceLineEndings(" ").Trim()}");
            }
        }

        private static Exception Root(Exception exception) => exception.InnerException is { } inner ? Root(inner) : exception;
    }
}
