using System.Data.Common;
using System.Net.Sockets;

namespace OrleansRaft.Hosting.Storage;

/// <summary>Tells a storage outage (worth a retry once the database answers again) from every other failure.</summary>
public static class StorageFailures
{
    /// <summary>
    /// Whether <paramref name="exception"/>, or one it wraps, says that the database could not be reached or gave up on
    /// the request: a refused or dropped connection, a timeout, a server shutting down or starting up (what ADO.NET
    /// providers call transient, Npgsql included). A conflict of versions, a corrupted log or a bad statement is not,
    /// nor a <see cref="TimeoutException"/> of its own: a request that outlived its time is not a storage failure
    /// (the providers report their own timeouts as transient database errors).
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case DbException { IsTransient: true }:
                // A server shutting down or terminating the backend (57P01-57P03), or a connection failure (class 08):
                // whether or not the provider counts them transient, the database is what failed.
                case DbException { SqlState: { } state } when state.StartsWith("57P", StringComparison.Ordinal) || state.StartsWith("08", StringComparison.Ordinal):
                case SocketException:
                case IOException:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsUnavailable):
                    return true;
            }
        }

        return false;
    }
}
