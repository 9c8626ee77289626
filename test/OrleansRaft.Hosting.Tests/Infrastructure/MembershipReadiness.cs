using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace OrleansRaft.Hosting.Tests.Infrastructure;

/// <summary>
/// Waits until every silo of a cluster sees every other as active. Placement asks the local silo's view of the
/// membership: a group created before the views converge can get two of its members on one silo.
/// </summary>
internal static class MembershipReadiness
{
    public static async Task WaitForAllActiveAsync(InProcessTestCluster cluster, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var silos = cluster.Silos.ToList();
            var converged = silos.All(silo =>
            {
                var membership = silo.SiloHost.Services.GetRequiredService<IClusterMembershipService>();
                return membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active) == silos.Count;
            });
            if (converged)
            {
                return;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"The {silos.Count} silos did not all see each other as active within {timeout}.");
            }

            await Task.Delay(20);
        }
    }
}
