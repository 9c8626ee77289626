using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OrleansRaft.Abstractions;
using OrleansRaft.Host.Silo;

namespace OrleansRaft.Host.Status;

/// <summary>
/// The operator's view: <c>/</c> is a page that polls <c>/status.json</c> every second and draws every group with
/// every member; <c>/status.json</c> asks the group directory for the status of every group.
/// </summary>
internal static class StatusEndpoints
{
    /// <summary>How long one status request may take; a group's members are each asked within a shorter bound.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = typeof(StatusEndpoints).Assembly.GetManifestResourceStream("OrleansRaft.Host.status.html")
            ?? throw new InvalidOperationException("The status page is missing from the assembly.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    });

    public static void Map(WebApplication app, string? siloName)
    {
        app.MapGet("/", () => Results.Bytes(Page.Value, "text/html; charset=utf-8"));
        app.MapGet("/status.json", async (IGrainFactory grains, IClusterMembershipService membership, ILocalSiloDetails local, ClusterReadiness readiness, ClusterSettings cluster, HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            return Results.Json(await ReportAsync(grains, membership, local, readiness, cluster, siloName));
        });
    }

    private static async Task<StatusReport> ReportAsync(
        IGrainFactory grains, IClusterMembershipService membership, ILocalSiloDetails local, ClusterReadiness readiness, ClusterSettings cluster, string? siloName)
    {
        var silos = membership.CurrentSnapshot.Members.Values
            .OrderBy(m => m.SiloAddress.ToString(), StringComparer.Ordinal)
            .Select(m => new SiloReport(m.SiloAddress.ToString(), m.Name, m.Status.ToString()))
            .ToArray();
        var self = string.IsNullOrWhiteSpace(siloName) ? local.Name : siloName;
        if (!readiness.IsReady)
        {
            var active = silos.Count(s => s.Status == nameof(SiloStatus.Active));
            return new StatusReport(self, DateTimeOffset.UtcNow, silos, [], $"waiting for the cluster: {active} of {cluster.ExpectedSilos} silos active");
        }

        try
        {
            var groups = await grains.GetGrain<IRaftDirectoryGrain>(IRaftDirectoryGrain.Key).GetStatusAsync().WaitAsync(Timeout);
            var reports = groups
                .Select(g => new GroupReport(g.GroupId, g.StateMachineType, g.Leader, g.Term, [.. g.Members.Select(MemberReport.From)]))
                .ToArray();
            return new StatusReport(self, DateTimeOffset.UtcNow, silos, reports, null);
        }
        catch (Exception exception) when (exception is TimeoutException or OrleansException or InvalidOperationException)
        {
            return new StatusReport(self, DateTimeOffset.UtcNow, silos, [], exception.Message);
        }
    }
}
