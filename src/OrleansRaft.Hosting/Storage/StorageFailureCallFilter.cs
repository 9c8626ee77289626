using Microsoft.Extensions.Logging;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Diagnostics;

namespace OrleansRaft.Hosting.Storage;

/// <summary>
/// Answers a call to one of OrleansRaft's grains that failed because storage did not answer (see
/// <see cref="StorageFailures"/>) with <see cref="RaftStorageUnavailableException"/>, which every caller can
/// deserialize and knows to retry, instead of the driver's exception, whose type a client may not be able to read and
/// whose text describes the silo's insides. Calls to other grains pass untouched.
/// </summary>
internal sealed class StorageFailureCallFilter(ILogger<StorageFailureCallFilter> logger) : IIncomingGrainCallFilter
{
    private static readonly string Namespace = typeof(StorageFailureCallFilter).Namespace!.Split('.')[0] + ".";

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (e is not RaftStorageUnavailableException && IsOurs(context) && StorageFailures.IsUnavailable(e))
        {
            RaftLogMessages.CallFailedOnStorage(logger, context.TargetId.ToString(), $"{e.GetType().Name}: {e.Message}");
            throw new RaftStorageUnavailableException(context.TargetId.Key.ToString() ?? context.TargetId.ToString());
        }
    }

    private static bool IsOurs(IIncomingGrainCallContext context) =>
        context.Grain?.GetType().Namespace?.StartsWith(Namespace, StringComparison.Ordinal) == true;
}
