using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Diagnostics;

namespace OrleansRaft.Host.Silo;

/// <summary>
/// Exports the <c>OrleansRaft</c> meter (elections, commits, applies, apply lag) and Orleans' own meter with
/// OpenTelemetry, when <c>Metrics</c> turns an exporter on: Prometheus at <c>/metrics</c>, or OTLP push. OTLP also
/// receives the <c>OrleansRaft</c> activity source's spans (the stages of each write, see <see cref="RaftTracing"/>).
/// </summary>
internal static class HostMetrics
{
    private const string OrleansMeter = "Microsoft.Orleans";

    public static void Add(IServiceCollection services, MetricsSettings settings)
    {
        var otlp = string.IsNullOrWhiteSpace(settings.OtlpEndpoint) ? null : new Uri(settings.OtlpEndpoint);
        if (!settings.Prometheus && otlp is null)
        {
            return;
        }

        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(RaftMetrics.MeterName, OrleansMeter);
            if (settings.Prometheus)
            {
                metrics.AddPrometheusExporter();
            }

            if (otlp is not null)
            {
                metrics.AddOtlpExporter(o => o.Endpoint = otlp);
            }
        });
        if (otlp is not null)
        {
            services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(RaftTracing.SourceName).AddOtlpExporter(o => o.Endpoint = otlp));
        }
    }

    public static void Map(WebApplication app, MetricsSettings settings)
    {
        if (settings.Prometheus)
        {
            app.MapPrometheusScrapingEndpoint();
        }
    }
}
