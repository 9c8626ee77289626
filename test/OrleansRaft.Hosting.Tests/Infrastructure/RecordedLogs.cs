using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrleansRaft.Hosting.Tests.Infrastructure;

/// <summary>One log entry a silo wrote.</summary>
public sealed record RecordedLog(string Category, LogLevel Level, string Message, Exception? Exception);

/// <summary>
/// A logger provider shared by every silo of a cluster that keeps what the Raft grains log at Information and above,
/// and what anything else logs at Warning and above, so that tests can assert on the level and text of a message.
/// </summary>
public sealed class RecordedLogs : ILoggerProvider
{
    private const string RaftCategoryPrefix = "OrleansRaft.";

    private readonly ConcurrentQueue<RecordedLog> _entries = new();

    public IReadOnlyList<RecordedLog> Entries => [.. _entries];

    /// <summary>The entries of categories under the Raft hosting namespace.</summary>
    public IReadOnlyList<RecordedLog> Raft => [.. _entries.Where(e => e.Category.StartsWith(RaftCategoryPrefix, StringComparison.Ordinal))];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private static bool Keeps(string category, LogLevel level) =>
        level != LogLevel.None && level >= (category.StartsWith(RaftCategoryPrefix, StringComparison.Ordinal) ? LogLevel.Information : LogLevel.Warning);

    private sealed class Logger(RecordedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => Keeps(category, logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (Keeps(category, logLevel))
            {
                owner._entries.Enqueue(new RecordedLog(category, logLevel, formatter(state, exception), exception));
            }
        }
    }
}
